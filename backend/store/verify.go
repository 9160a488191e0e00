package store

import (
	"crypto/sha256"
	"encoding/hex"

	"auditlens/backend/audit"
)

// SourceCheck is what re-hashing a source's stored records found.
type SourceCheck struct {
	Events   int      // records checked
	Altered  []string // ids of events whose raw record no longer has its hash
	Damaged  []string // ids of events whose stored detail no longer decodes
	DigestOK bool     // the source's digest over its events' hashes holds
}

// VerifySource re-hashes every stored raw record of a source and its digest,
// and decodes every stored detail (the normalized fields: no hash of their
// own, but a zstd checksum and a strict layout).
func (s *Store) VerifySource(id int64, digest string) (*SourceCheck, error) {
	rows, err := s.r.Query(`SELECT seq, id, raw, raw_zstd, raw_sha256, detail, detail_zstd FROM events WHERE source_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &SourceCheck{}
	d := sha256.New()
	for rows.Next() {
		var seq int64
		var eid string
		var stored, hash, detail []byte
		var how, detailHow int
		if err := rows.Scan(&seq, &eid, &stored, &how, &hash, &detail, &detailHow); err != nil {
			return nil, err
		}
		want := unpackSHA256(hash)
		out.Events++
		// a frame that no longer decompresses holds no record: altered too
		raw, err := s.blob(rawBlob, seq, stored, how)
		if sum := sha256.Sum256(raw); err != nil || hex.EncodeToString(sum[:]) != want {
			out.Altered = append(out.Altered, eid)
		}
		d.Write([]byte(want))
		if hasDetail(detail, detailHow) { // rows from before details keep columns
			var ev audit.Event
			if err := s.readDetail(seq, detail, detailHow, "", "", &ev); err != nil {
				out.Damaged = append(out.Damaged, eid)
			}
		}
	}
	out.DigestOK = digest == "" && out.Events == 0 || hex.EncodeToString(d.Sum(nil)) == digest
	return out, rows.Err()
}
