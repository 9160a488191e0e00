package report

import (
	"bytes"
	"github.com/klauspost/compress/flate"
	"io"
	"runtime"
	"sync"
)

// deflateBlock is how much of a zip entry one goroutine compresses.
const deflateBlock = 1 << 20

// parallelDeflate compresses a zip entry on every core: the data is cut into
// blocks, each block compressed on its own (fast level) and ended with a
// sync flush, and the blocks written in order, then one final empty block.
// Blocks that do not refer to each other make one valid deflate stream (as
// pgzip does); the zip writer keeps the CRC and sizes of the whole entry.
// A report's sheets are gigabytes of XML at a million events: this is the
// part of writing it that no other stage overlaps.
type parallelDeflate struct {
	out     io.Writer
	buf     []byte
	pending chan chan []byte // compressed blocks, in order
	done    chan error       // the writer goroutine's result
	slots   chan struct{}    // bounds the blocks in flight
	pool    sync.Pool
}

func newParallelDeflate(out io.Writer) *parallelDeflate {
	workers := max(2, runtime.NumCPU())
	d := &parallelDeflate{out: out, pending: make(chan chan []byte, 2*workers), done: make(chan error, 1),
		slots: make(chan struct{}, 2*workers)}
	d.pool.New = func() any { return make([]byte, 0, deflateBlock) }
	go func() {
		var err error
		for c := range d.pending {
			b := <-c
			if err == nil {
				_, err = d.out.Write(b)
			}
		}
		d.done <- err
	}()
	return d
}

func (d *parallelDeflate) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if d.buf == nil {
			d.buf = d.pool.Get().([]byte)[:0]
		}
		k := min(len(p), deflateBlock-len(d.buf))
		d.buf = append(d.buf, p[:k]...)
		p = p[k:]
		if len(d.buf) == deflateBlock {
			d.flush()
		}
	}
	return n, nil
}

// flush hands the buffered block to a goroutine.
func (d *parallelDeflate) flush() {
	block := d.buf
	d.buf = nil
	c := make(chan []byte, 1)
	d.slots <- struct{}{}
	d.pending <- c
	go func() {
		defer func() { <-d.slots }()
		var out bytes.Buffer
		out.Grow(len(block) / 4)
		w, _ := flate.NewWriter(&out, flate.BestSpeed)
		w.Write(block) // writes to a bytes.Buffer do not fail
		w.Flush()      // sync flush: byte-aligned, not final
		d.pool.Put(block[:0])
		c <- out.Bytes()
	}()
}

// Close compresses what is left, ends the stream and waits for it to be written.
func (d *parallelDeflate) Close() error {
	if len(d.buf) > 0 {
		d.flush()
	}
	var end bytes.Buffer
	w, _ := flate.NewWriter(&end, flate.BestSpeed)
	w.Close() // an empty final block
	c := make(chan []byte, 1)
	c <- end.Bytes()
	d.pending <- c
	close(d.pending)
	return <-d.done
}
