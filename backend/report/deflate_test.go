package report

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"testing"
)

// Blocks compressed apart read back as one stream, whatever the sizes and
// however the writes are cut.
func TestParallelDeflateRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{0, 1, deflateBlock - 1, deflateBlock, deflateBlock + 1, 5*deflateBlock + 12345} {
		data := make([]byte, size)
		for i := range data {
			if i%7 == 0 {
				data[i] = byte(rng.IntN(256)) // some noise in compressible text
			} else {
				data[i] = "<row><c>abc</c></row>"[i%21]
			}
		}
		var z bytes.Buffer
		d := newParallelDeflate(&z)
		for rest := data; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(300000))
			if n, err := d.Write(rest[:k]); n != k || err != nil {
				t.Fatal(n, err)
			}
			rest = rest[k:]
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(flate.NewReader(&z))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: read back %d bytes (%v)", size, len(got), err)
		}
		if size > deflateBlock && z.Len() > size/2 {
			t.Errorf("size %d: compressed to %d bytes", size, z.Len())
		}
	}
}
