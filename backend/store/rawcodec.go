package store

import (
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// Raw records are most of a case's database, and JSON records shrink by
// about two fifths under zstd even one by one. A record is stored
// compressed when that saves at least an eighth; raw_zstd marks those rows.
// The column, not a magic number, tells them apart: a hostile record may
// itself look like a zstd frame.
var (
	rawEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithZeroFrames(true), zstd.WithEncoderCRC(true))
	rawDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxRawRecord))
)

// maxRawRecord bounds what one stored record may expand to.
const maxRawRecord = 256 << 20

// packRaw returns what to store for raw, and whether it is compressed.
func packRaw(raw []byte) ([]byte, bool) {
	if len(raw) < 64 {
		return raw, false
	}
	z := rawEncoder.EncodeAll(raw, make([]byte, 0, len(raw)/2))
	if len(z) > len(raw)-len(raw)/8 {
		return raw, false
	}
	return z, true
}

// unpackRaw is the record packRaw stored.
func unpackRaw(stored []byte, compressed bool) ([]byte, error) {
	if !compressed {
		return stored, nil
	}
	raw, err := rawDecoder.DecodeAll(stored, nil)
	if err != nil {
		return nil, fmt.Errorf("a stored raw record cannot be decompressed: %v", err)
	}
	return raw, nil
}
