package store

import (
	"crypto/sha256"
	"encoding/hex"
)

// SourceCheck is what re-hashing a source's stored records found.
type SourceCheck struct {
	Events   int      // records checked
	Altered  []string // ids of events whose raw record no longer has its hash
	DigestOK bool     // the source's digest over its events' hashes holds
}

// VerifySource re-hashes every stored raw record of a source and its digest.
func (s *Store) VerifySource(id int64, digest string) (*SourceCheck, error) {
	rows, err := s.r.Query(`SELECT id, raw, raw_zstd, raw_sha256 FROM events WHERE source_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &SourceCheck{}
	d := sha256.New()
	for rows.Next() {
		var eid string
		var stored, hash []byte
		var zstd bool
		if err := rows.Scan(&eid, &stored, &zstd, &hash); err != nil {
			return nil, err
		}
		want := unpackSHA256(hash)
		out.Events++
		// a frame that no longer decompresses holds no record: altered too
		raw, err := s.codecs[rawBlob].unpack(stored, zstd)
		if sum := sha256.Sum256(raw); err != nil || hex.EncodeToString(sum[:]) != want {
			out.Altered = append(out.Altered, eid)
		}
		d.Write([]byte(want))
	}
	out.DigestOK = digest == "" && out.Events == 0 || hex.EncodeToString(d.Sum(nil)) == digest
	return out, rows.Err()
}
