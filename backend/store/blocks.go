package store

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"sync"
)

// Events are stored in blocks (migration 0011): events of consecutive seqs
// share one compressed frame of raw records (a row of raw_blocks) and one of
// details (detail_blocks), each keyed by its first event's seq. A frame
// costs its dictionary's set-up whatever its size, and neighbouring records
// share more than any dictionary: 100k demo records took 101 bytes an event
// in blocks of 16 against 173 one by one, details 82 against 125, and the
// import spent 7% less CPU. The event's row marks its raw and detail
// columns inBlock.
//
// Since 2026-11-27 a raw block holds up to 64 events, a detail block 16
// (blockSize; blocks of either size written before read alike). 47,624
// events of the 1M benchmark's case, bytes an event: raw records 104.7 in
// blocks of 16, 88.6 in blocks of 64 (82.5 in 128); details, entropy-coded
// now, 81.0 in 16 and 62.7 in 64. A block of 64 fills SQLite's pages
// (overflow pages) where two of 16 left a fifth of a page empty. But an
// event read alone decodes its whole block, and lists and histories read
// the details of events scattered over a case: a detail block of 64
// decodes in 29 µs against 12 (a raw block 44 µs against 15), and with
// both at 64 the 1M benchmark's busy target's history took 70 ms instead
// of 38, `outcome:failure`'s page 3.4 ms instead of 1.1. Raw records are
// read one event at a time only when one is opened, and in order by
// reports and exports.
//
// A block's payload is its blobs one after another, then each blob's length
// and their number as little-endian uint32s: built by appending, read with
// a strict check of every length.
const (
	// blockEvents is the most events a block holds (of any kind, written
	// now or before).
	blockEvents = 64
	// blockBytes ends a block early: a long record makes a block of its
	// own, and a payload stays below maxRawRecord (32 MiB a record at most).
	blockBytes = 256 << 10
	// inBlock is the raw_zstd and detail_zstd of an event whose blobs are
	// in its block (0: stored plain in the row, 1: compressed in the row).
	inBlock = 2
	// cachedEvents is how many events' decoded blocks of each kind a store
	// keeps: reading events in time order reads blocks in turn, and a case
	// imported from several files interleaves a few runs of them.
	cachedEvents = 4096
	// blockReaders is the blocks' pool of connections, and how many
	// goroutines decode the events of one read (decodeRows).
	blockReaders = 2
)

// blockSize is the most events a block of each kind holds when written.
var blockSize = [2]int{rawBlob: blockEvents, detailBlob: 16}

// blockTables hold each kind's blocks.
var blockTables = [2]string{rawBlob: "raw_blocks", detailBlob: "detail_blocks"}

// blockBuf collects one kind of blob of a block.
type blockBuf struct {
	data []byte
	lens []uint32
}

func (b *blockBuf) add(blob []byte) {
	b.data = append(b.data, blob...)
	b.lens = append(b.lens, uint32(len(blob)))
}

func (b *blockBuf) reset() { b.data, b.lens = b.data[:0], b.lens[:0] }

// each calls fn with every blob, in order.
func (b *blockBuf) each(fn func([]byte)) {
	at := 0
	for _, n := range b.lens {
		fn(b.data[at : at+int(n)])
		at += int(n)
	}
}

// payload appends the lengths to the blobs: what is stored.
func (b *blockBuf) payload() []byte {
	for _, n := range b.lens {
		b.data = binary.LittleEndian.AppendUint32(b.data, n)
	}
	b.data = binary.LittleEndian.AppendUint32(b.data, uint32(len(b.lens)))
	return b.data
}

var (
	errBlock        = errors.New("its stored block is damaged")
	errMissingBlock = errors.New("its stored block is missing")
)

// splitBlock cuts a payload into its n blobs. The blobs share the payload's
// memory, each capped at its end so that appending to one cannot overwrite
// the next.
func splitBlock(payload []byte, n int) ([][]byte, error) {
	if n < 1 || n > blockEvents || len(payload) < 4*(n+1) ||
		binary.LittleEndian.Uint32(payload[len(payload)-4:]) != uint32(n) {
		return nil, errBlock
	}
	lens := payload[len(payload)-4*(n+1) : len(payload)-4]
	data := payload[:len(payload)-len(lens)-4]
	out := make([][]byte, n)
	at := 0
	for i := range out {
		l := int(binary.LittleEndian.Uint32(lens[4*i:]))
		if l > len(data)-at {
			return nil, errBlock
		}
		out[i] = data[at : at+l : at+l]
		at += l
	}
	if at != len(data) {
		return nil, errBlock
	}
	return out, nil
}

// pendingBlock is a block of one kind a batch is filling.
type pendingBlock struct {
	first  int64  // seq of its first event
	format string // of its first event: whose dictionary it uses
	buf    blockBuf
}

// events is how many events the block holds.
func (p *pendingBlock) events() int { return len(p.buf.lens) }

// queue adds an inserted event's raw record and detail to the batch's
// blocks, writing a block first when it is full or the seq does not follow
// (a batch's inserts get consecutive seqs, so that is only a safeguard).
func (b *Batch) queue(seq int64, format string, raw, detail []byte) error {
	for kind, blob := range [2][]byte{rawBlob: raw, detailBlob: detail} {
		p := &b.blocks[kind]
		if n := p.events(); n > 0 && (n == blockSize[kind] || seq != p.first+int64(n) || len(p.buf.data) >= blockBytes) {
			if err := b.writeBlock(kind); err != nil {
				return err
			}
		}
		if p.events() == 0 {
			p.first, p.format = seq, format
		}
		p.buf.add(blob)
	}
	return nil
}

// writeBlocks stores the batch's blocks that hold events.
func (b *Batch) writeBlocks() error {
	for kind := range b.blocks {
		if err := b.writeBlock(kind); err != nil {
			return err
		}
	}
	return nil
}

// writeBlock stores the batch's block of kind, compressed, in its
// transaction.
func (b *Batch) writeBlock(kind int) error {
	p := &b.blocks[kind]
	n := p.events()
	if n == 0 {
		return nil
	}
	stored, zstd, dict, err := b.s.codecs[kind].pack(b.tx, p.format, &p.buf)
	if err != nil {
		return err
	}
	if dict != 0 {
		b.dicts[kind] = append(b.dicts[kind], dict)
	}
	if _, err := b.blockStmts[kind].Exec(p.first, n, stored, zstd); err != nil {
		return err
	}
	p.buf.reset()
	return nil
}

// blockBlob is the raw record (rawBlob) or detail (detailBlob) of the event
// seq, read from its block. Blocks never change once written, so decoded
// ones are kept; they are read through a pool of their own, since a reader
// asks for them while it holds a connection of the readers' pool.
func (s *Store) blockBlob(seq int64, kind int) ([]byte, error) {
	c := &s.blocks[kind]
	if blob, ok := c.get(seq); ok {
		return blob, nil
	}
	var first int64
	var n int
	var stored []byte
	var compressed bool
	err := s.blockStmts[kind].QueryRow(seq).Scan(&first, &n, &stored, &compressed)
	if errors.Is(err, sql.ErrNoRows) || err == nil && seq-first >= int64(n) {
		return nil, errMissingBlock
	}
	if err != nil {
		return nil, err
	}
	payload, err := s.codecs[kind].unpack(stored, compressed)
	if err != nil {
		return nil, err
	}
	blobs, err := splitBlock(payload, n)
	if err != nil {
		return nil, err
	}
	c.put(first, blobs, cachedEvents/blockSize[kind])
	return blobs[seq-first], nil
}

// prepareBlockReads prepares the two queries of blockBlob on the blocks'
// pool: parsing one again for each block cost half of reading it.
func (s *Store) prepareBlockReads() (err error) {
	for kind, table := range blockTables {
		s.blockStmts[kind], err = s.b.Prepare(`SELECT first_seq, n, content, zstd FROM ` + table + `
			WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`)
		if err != nil {
			return err
		}
	}
	return nil
}

// blockCache keeps the last decoded blocks of one kind, found by the seq of
// any of their events.
type blockCache struct {
	mu    sync.Mutex
	bySeq map[int64][]byte
	ring  []struct {
		first int64
		n     int
	}
	next int
}

func (c *blockCache) get(seq int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	blob, ok := c.bySeq[seq]
	return blob, ok
}

// put keeps a block's blobs, dropping the oldest of blocks kept first.
func (c *blockCache) put(first int64, blobs [][]byte, blocks int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bySeq == nil {
		c.bySeq = make(map[int64][]byte, cachedEvents)
		c.ring = make([]struct {
			first int64
			n     int
		}, blocks)
	}
	if _, ok := c.bySeq[first]; ok {
		return // another reader decoded it meanwhile
	}
	old := &c.ring[c.next]
	for i := range old.n {
		delete(c.bySeq, old.first+int64(i))
	}
	for i, blob := range blobs {
		c.bySeq[first+int64(i)] = blob
	}
	old.first, old.n = first, len(blobs)
	c.next = (c.next + 1) % len(c.ring)
}
