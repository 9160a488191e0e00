package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Activity is one entry of the case's own log.
type Activity struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Kind   string          `json:"kind"`
	Detail json.RawMessage `json:"detail"`
	Prev   string          `json:"prev"`
	Hash   string          `json:"hash"`
}

func activityHash(prev string, atNS int64, kind string, detail []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(atNS, 10)))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(detail)
	return hex.EncodeToString(h.Sum(nil))
}

// Log appends an entry to the activity log, chained to the one before.
func (s *Store) Log(kind string, detail any) (*Activity, error) {
	d, err := json.Marshal(detail)
	if err != nil {
		return nil, err
	}
	tx, err := s.w.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var prev string
	if err := tx.QueryRow(`SELECT hash FROM activity ORDER BY seq DESC LIMIT 1`).Scan(&prev); err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	at := time.Now().UTC()
	a := &Activity{At: at, Kind: kind, Detail: d, Prev: prev, Hash: activityHash(prev, at.UnixNano(), kind, d)}
	res, err := tx.Exec(`INSERT INTO activity(at, kind, detail, prev, hash) VALUES(?, ?, ?, ?, ?)`, at.UnixNano(), kind, string(d), prev, a.Hash)
	if err != nil {
		return nil, err
	}
	a.Seq, _ = res.LastInsertId()
	return a, tx.Commit()
}

// ActivityLog returns the whole log, oldest first, and the first entry
// whose chain does not hold (nil when intact): an entry edited, removed or
// inserted by hand shows there.
func (s *Store) ActivityLog() ([]Activity, *ChainBreak, error) {
	rows, err := s.r.Query(`SELECT seq, at, kind, detail, prev, hash FROM activity ORDER BY seq`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []Activity
	var brk *ChainBreak
	prev := ""
	var lastSeq int64
	for rows.Next() {
		var a Activity
		var at int64
		var detail string
		if err := rows.Scan(&a.Seq, &at, &a.Kind, &detail, &a.Prev, &a.Hash); err != nil {
			return nil, nil, err
		}
		a.At, a.Detail = time.Unix(0, at).UTC(), json.RawMessage(detail)
		if brk == nil {
			switch {
			case a.Seq != lastSeq+1:
				brk = &ChainBreak{a.Seq, fmt.Sprintf("entries %d to %d are missing", lastSeq+1, a.Seq-1)}
			case a.Prev != prev:
				brk = &ChainBreak{a.Seq, "it does not follow the entry before it"}
			case activityHash(a.Prev, at, a.Kind, []byte(detail)) != a.Hash:
				brk = &ChainBreak{a.Seq, "its content does not match its hash: it was changed"}
			}
		}
		prev, lastSeq = a.Hash, a.Seq
		out = append(out, a)
	}
	return out, brk, rows.Err()
}

// ChainBreak says where and why the activity log's chain does not hold.
type ChainBreak struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// LogHead is the hash of the newest entry ("" for an empty log).
func (s *Store) LogHead() (string, int64, error) {
	var h string
	var n int64
	err := s.r.QueryRow(`SELECT hash, seq FROM activity ORDER BY seq DESC LIMIT 1`).Scan(&h, &n)
	if err == sql.ErrNoRows {
		return "", 0, nil
	}
	return h, n, err
}
