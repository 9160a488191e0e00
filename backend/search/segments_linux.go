package search

import "golang.org/x/sys/unix"

// unmapPages lets go of the pages of a read-only mapping of a file: the
// file's pages stay in the page cache, and are mapped again when read. The
// mapping must be the caller's alone while it runs (a segment being opened):
// advice on a range unmapped meanwhile, and mapped again as other memory,
// would zero that memory.
func unmapPages(b []byte) {
	if len(b) > 0 {
		_ = unix.Madvise(b, unix.MADV_DONTNEED) // (only RSS is at stake)
	}
}
