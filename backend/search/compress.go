package search

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"

	index "github.com/blevesearch/bleve_index_api"
	"github.com/klauspost/compress/zstd"
)

// The index's merged segments are written compressed: zap hands every
// piece it writes (a term's postings, a chunk of its positions or
// frequencies, a field's dictionary, a chunk of stored values or doc
// values) to a writer hook, and every piece it reads to a reader hook
// (bleve_index_api's WriterHook and ReaderHook, meant for encryption or
// compression). Zap writes positions and frequencies as plain varints one
// after another, five for every position (the field, the position, two
// empty offsets and no array positions) where it needs one; zstd takes
// most of that away. A 250k demo import, three alternated runs each: the
// index 125–128 MiB, user CPU 24.3–27.4 s without; 68–74 MiB, 25.8–28.5 s
// with. At 1M the index is 488 -> 249 MiB. The query benchmark over such a
// case is unchanged: a query reads small pieces.
//
// Only merges compress. A batch's segment, built in memory, is written
// as it is (persisting: the hook names no processing then); asked to
// process it, zap would write it twice, merging it alone through the hook
// (the same 250k import: 63–70 MiB, but 29.8–31.8 s of user CPU). Most of
// the events end in merged segments, the batches' small ones are merged
// within seconds, and an import ends with a merge of what is left.
//
// A piece is packed when that saves an eighth: packMark, then a zstd frame
// with its checksum (a damaged piece is an error, never other bytes).
// Any other piece is written as it is, so that zap still reads it in
// place (it reads arrays without a copy when they are unchanged): a
// dictionary (a vellum FST, which zap keeps in memory once read: packed,
// every segment's dictionaries would be held on the heap, uncompressed),
// a piece of under packMin bytes, and one zstd does not shrink. A piece
// left as it is that happens to begin as a packed one does is packed
// anyway, so that no piece is read as what it is not. Segments written
// without the hook (id "": batches, and every segment of an index made
// before it) are read as they are.

// packID names the hook in the segments it writes.
const packID = "auditlens-zstd-1"

// packMin is the least a piece must hold to be packed: a zstd frame costs
// ~14 bytes of its own, its checksum included.
const packMin = 48

// packMark begins a packed piece: a zero byte and then the frame's own
// magic number. None of zap's pieces seen begins so (a chunk of positions
// begins with its length, of frequencies with a non-zero varint, postings
// with roaring's cookie, a dictionary with vellum's version); one that did
// would be packed anyway (pack).
var packMark = []byte{0, 0x28, 0xb5, 0x2f, 0xfd}

// fstHeader begins every vellum FST (version 1, type 0).
var fstHeader = append([]byte{1}, make([]byte, 15)...)

var (
	packer, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithEncoderCRC(true), zstd.WithLowerEncoderMem(true))
	unpacker, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(1<<30))
)

func init() {
	index.WriterHook = func([]byte) (string, func([]byte) []byte, error) {
		if persisting() {
			return "", nil, nil
		}
		return packID, pack, nil
	}
	index.ReaderHook = func(id string, _ []byte) (func([]byte) ([]byte, error), error) {
		switch id {
		case "":
			return nil, nil // written before: as it is
		case packID:
			return unpack, nil
		}
		return nil, fmt.Errorf("an index segment written by an unknown hook %q", id)
	}
}

// pack is what is written of a piece zap writes.
func pack(piece []byte) []byte {
	if len(piece) >= packMin && !bytes.HasPrefix(piece, fstHeader) {
		// EncodeAll appends the frame, whose magic completes packMark.
		z := packer.EncodeAll(piece, make([]byte, 1, 1+len(piece)/2))
		if len(z) <= len(piece)-len(piece)/8 {
			return z
		}
	}
	if bytes.HasPrefix(piece, packMark) {
		return packer.EncodeAll(piece, []byte{0})
	}
	return piece
}

// unpack is the piece zap wrote, of what was written.
func unpack(stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, packMark) {
		return stored, nil
	}
	piece, err := unpacker.DecodeAll(stored[1:], nil)
	if err != nil {
		return nil, fmt.Errorf("a compressed piece of an index segment: %v", err)
	}
	return piece, nil
}

// persisting is whether the hook is asked for zap's PersistSegmentBase, the
// writing of a batch's segment (built in memory, unprocessed). Should zap
// rename it, every segment is processed: the same files, more CPU
// (TestBatchSegmentsWrittenAsBuilt fails).
func persisting() bool {
	var pcs [16]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, ".PersistSegmentBase") {
			return true
		}
		if !more {
			return false
		}
	}
}
