package store

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
)

// A dictCodec stores one kind of blob of a case compressed: raw records
// (raw_dicts, migration 0008) and event details (detail_dicts, 0009). A
// block of blobs (blocks.go; rows written before 0011 hold one blob each)
// is stored as one zstd frame (with a checksum) when that saves at least
// an eighth; the caller keeps a flag of its own that says which, not a
// magic number: a hostile record may itself look like a zstd frame.
//
// One JSON record alone shrinks by about two fifths. Blobs of one format
// share most of their bytes, so once a case holds dictSize bytes of a
// format's blobs, those blobs become that format's dictionary (a row of the
// codec's table) and every later blob of the format is compressed against
// it: the demo's records shrink to a fifth. A frame names its dictionary,
// so reading needs no column: the decoder knows every dictionary of the
// codec's table.

// maxRawRecord bounds what one stored blob may expand to.
const maxRawRecord = 256 << 20

// dictSize is how many bytes of a format's first blobs make its
// dictionary; dictIDBase keeps the frames' dictionary ids out of the range
// zstd reserves (below 32,768).
const (
	dictSize   = 64 << 10
	dictIDBase = 1 << 16
)

func newEncoder(opts ...zstd.EOption) *zstd.Encoder {
	e, err := zstd.NewWriter(nil, append([]zstd.EOption{zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true), zstd.WithEncoderCRC(true)}, opts...)...)
	if err != nil {
		panic(err) // only a dictionary over 2 GiB can fail
	}
	return e
}

var plainEncoder = newEncoder()

// dictCodec packs and unpacks one kind of blob of a case.
type dictCodec struct {
	table   string // where its dictionaries are: raw_dicts or detail_dicts
	db      *sql.DB
	mu      sync.Mutex
	enc     map[string]formatDict // by format, once it has a dictionary
	samples map[string][]byte     // first blobs of formats with none yet
	dicts   map[uint32][]byte     // every dictionary of the case, by frame id
	dec     atomic.Pointer[zstd.Decoder]
}

type formatDict struct {
	id  uint32
	enc *zstd.Encoder
}

type dictRow struct {
	format  string
	content []byte
}

// newDictCodec reads the dictionaries of table through db (the readers).
func newDictCodec(db *sql.DB, table string) (*dictCodec, error) {
	c := &dictCodec{table: table, db: db, enc: map[string]formatDict{}, samples: map[string][]byte{}, dicts: map[uint32][]byte{}}
	return c, c.reload()
}

// reload reads the case's dictionaries: at open, and when a frame names one
// this process has not seen (another process's import added it).
func (c *dictCodec) reload() error {
	rows, err := c.loadDicts()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	added := c.dec.Load() == nil
	for id, d := range rows {
		if _, ok := c.dicts[id]; !ok {
			c.dicts[id], added = d.content, true
		}
		if _, ok := c.enc[d.format]; !ok {
			c.enc[d.format] = formatDict{id, c.newEncoder(id, d.content)}
			delete(c.samples, d.format)
		}
	}
	if added { // a frame naming no dictionary of the case does not rebuild it each time
		c.newDecoderLocked()
	}
	return nil
}

// newEncoder is an encoder with a format's dictionary. Details skipped the
// entropy coding of literals while each was a frame of its own (against
// the dictionary nearly all matches: 15.9 -> 10.7 µs a detail, 0.273 ->
// 0.274 of its size); in blocks it makes them smaller (47,624 events at
// 1M, bytes an event: 89.9 -> 81.0 in blocks of 16, 70.9 -> 62.7 in 64)
// at no cost measured (4.84 against 4.68 µs an event, raw and detail), so
// both kinds code it.
func (c *dictCodec) newEncoder(id uint32, dict []byte) *zstd.Encoder {
	return newEncoder(zstd.WithEncoderDictRaw(id, dict))
}

// newDecoderLocked replaces the decoder by one that knows every dictionary.
// A DecodeAll may still run on the old one; it starts no goroutines of its
// own (concurrency applies to streams), so it is left to the collector.
func (c *dictCodec) newDecoderLocked() {
	opts := []zstd.DOption{zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxRawRecord)}
	for id, content := range c.dicts {
		opts = append(opts, zstd.WithDecoderDictRaw(id, content))
	}
	d, err := zstd.NewReader(nil, opts...)
	if err != nil {
		panic(err) // options only fail on dictionaries over 2 GiB
	}
	c.dec.Store(d)
}

// pack returns what to store for a block's blobs (see blocks.go), the
// block's format being format, and whether it is compressed. Until a format
// has a dictionary, its blobs are sampled; when the sample reaches dictSize
// bytes it becomes the format's dictionary: pack writes it in the caller's
// transaction tx and returns its frame id, so that a rollback can forget it.
func (c *dictCodec) pack(tx *sql.Tx, format string, blk *blockBuf) (out []byte, compressed bool, added uint32, err error) {
	c.mu.Lock()
	fd, ok := c.enc[format]
	if !ok {
		s := c.samples[format]
		blk.each(func(blob []byte) {
			s = append(s, blob[:min(len(blob), dictSize-len(s))]...)
		})
		c.samples[format] = s
		if len(s) == dictSize {
			rowid, content, err := c.save(tx, format, s)
			if err != nil {
				c.mu.Unlock()
				return nil, false, 0, err
			}
			s = content // another process's, if it stored one first
			delete(c.samples, format)
			added = uint32(dictIDBase + rowid)
			fd, ok = formatDict{added, c.newEncoder(added, s)}, true
			c.enc[format] = fd
			c.dicts[added] = s
			c.newDecoderLocked()
		}
	}
	c.mu.Unlock()
	enc := plainEncoder
	if ok {
		enc = fd.enc
	}
	payload := blk.payload()
	if len(payload) < 64 {
		return payload, false, added, nil
	}
	z := enc.EncodeAll(payload, make([]byte, 0, len(payload)/2))
	if len(z) > len(payload)-len(payload)/8 {
		return payload, false, added, nil
	}
	return z, true, added, nil
}

// forget drops dictionaries whose transaction was rolled back: their rows
// are gone, and their ids will be given again.
func (c *dictCodec) forget(ids []uint32) {
	if len(ids) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		for f, fd := range c.enc {
			if fd.id == id {
				delete(c.enc, f)
			}
		}
		delete(c.dicts, id)
	}
	c.newDecoderLocked()
}

// save stores a format's dictionary in the caller's transaction. Another
// process may have stored one first: then that one is used.
func (c *dictCodec) save(tx *sql.Tx, format string, content []byte) (int64, []byte, error) {
	var id int64
	err := tx.QueryRow(`INSERT INTO `+c.table+`(format, content) VALUES(?, ?)
		ON CONFLICT(format) DO UPDATE SET format = format RETURNING id, content`, format, content).Scan(&id, &content)
	return id, content, err
}

// unpack is the blob pack stored.
func (c *dictCodec) unpack(stored []byte, compressed bool) ([]byte, error) {
	if !compressed {
		return stored, nil
	}
	raw, err := c.dec.Load().DecodeAll(stored, nil)
	if errors.Is(err, zstd.ErrUnknownDictionary) {
		if err = c.reload(); err == nil {
			raw, err = c.dec.Load().DecodeAll(stored, nil)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("a stored %s cannot be decompressed: %v", c.what(), err)
	}
	return raw, nil
}

func (c *dictCodec) what() string {
	if c.table == "raw_dicts" {
		return "raw record"
	}
	return "event detail"
}

// loadDicts reads the codec's table.
func (c *dictCodec) loadDicts() (map[uint32]dictRow, error) {
	rows, err := c.db.Query(`SELECT id, format, content FROM ` + c.table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint32]dictRow{}
	for rows.Next() {
		var id int64
		var d dictRow
		if err := rows.Scan(&id, &d.format, &d.content); err != nil {
			return nil, err
		}
		out[uint32(dictIDBase+id)] = d
	}
	return out, rows.Err()
}
