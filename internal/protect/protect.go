// Package protect makes a case folder write-protected for the tests that
// read one as evidence is read (behind a write blocker, on a read-only
// mount).
package protect

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// WriteProtected makes the case src write-protected and returns the path to
// open it by: as root, whom permissions do not stop, a read-only bind mount
// of it at dir/ro (unmounted when the test ends, after the cleanups
// registered later, such as a server's); otherwise src, its modes taken
// away. The test is skipped where no mount can be made.
func WriteProtected(t testing.TB, dir, src string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		os.Chmod(filepath.Join(src, "case.db"), 0o444)
		os.Chmod(src, 0o555)
		t.Cleanup(func() { os.Chmod(src, 0o755) })
		return src
	}
	c := filepath.Join(dir, "ro")
	os.Mkdir(c, 0o755)
	if err := syscall.Mount(src, c, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("no bind mount here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(c, 0) })
	if err := syscall.Mount(src, c, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("no read-only remount here: %v", err)
	}
	return c
}

// Undo makes c, which WriteProtected gave, writable again.
func Undo(t testing.TB, c string) {
	t.Helper()
	if os.Geteuid() != 0 {
		os.Chmod(c, 0o755)
		os.Chmod(filepath.Join(c, "case.db"), 0o644)
		return
	}
	if err := syscall.Unmount(c, 0); err != nil {
		t.Fatal(err)
	}
}
