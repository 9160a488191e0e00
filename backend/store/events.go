package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"auditlens/backend/audit"
)

const eventColumns = `e.seq, e.id, e.time_ns, e.time_no_zone, e.format, e.source_id, coalesce(s.path, ''),
	coalesce(s.member, ''), e.category, e.action, e.outcome, e.actor_id, e.actor_name, e.actor_email,
	e.actor_type, e.targets, e.ip, e.user_agent, e.session, e.request, e.message, e.changes, e.detail, e.detail_zstd, e.raw, e.raw_zstd, e.raw_sha256,
	coalesce((SELECT group_concat(t.tag, char(31)) FROM event_tags t WHERE t.event_id = e.id), ''),
	coalesce((SELECT json_group_array(json_object('id', n.id, 'at', n.at, 'text', n.text)) FROM (SELECT id, at, text FROM notes WHERE event_id = e.id ORDER BY id) n), '')`

// columnsFast reads no tags or notes: for long scans of a case that has none.
const columnsFast = `e.seq, e.id, e.time_ns, e.time_no_zone, e.format, e.source_id, coalesce(s.path, ''),
	coalesce(s.member, ''), e.category, e.action, e.outcome, e.actor_id, e.actor_name, e.actor_email,
	e.actor_type, e.targets, e.ip, e.user_agent, e.session, e.request, e.message, e.changes, e.detail, e.detail_zstd, e.raw, e.raw_zstd, e.raw_sha256, '', ''`

// scanColumns picks the columns of a long scan: the per-event look-ups of
// tags and notes cost a million index probes on a million events, so they
// are left out while the case has no marks at all; raw records are left out
// when the reader does not want them (a report).
func (s *Store) scanColumns(ctx context.Context, noRaw bool) string {
	cols := columnsFast
	var marked bool
	if err := s.r.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM event_tags) OR EXISTS(SELECT 1 FROM notes)`).Scan(&marked); err != nil || marked {
		cols = eventColumns
	}
	return withoutRaw(cols, noRaw)
}

// withoutRaw leaves the raw record out of event columns when noRaw.
func withoutRaw(cols string, noRaw bool) string {
	if noRaw {
		cols = strings.Replace(cols, "e.raw, e.raw_zstd,", "X'', 0,", 1)
	}
	return cols
}

const eventFrom = ` FROM events e LEFT JOIN sources s ON s.id = e.source_id `

// Batch writes events in one transaction with a prepared statement.
type Batch struct {
	s          *Store
	tx         *sql.Tx
	stmt       *sql.Stmt
	blockStmts [2]*sql.Stmt    // insert a block of each kind
	blocks     [2]pendingBlock // the blocks it is filling: rawBlob, detailBlob
	added      []termKey       // terms this batch added (forgotten if it is rolled back)
	dicts      [2][]uint32     // raw-record and detail dictionaries it added (likewise)
	all        int64           // id of the term every event has
	tally      tally
	ids        *idSet   // a bulk load's ids, which reject a duplicate in place of the unique index
	idsAdded   []string // ids this batch added to them (likewise forgotten)
}

// BeginBatch starts a write transaction.
func (s *Store) BeginBatch() (*Batch, error) {
	if s.bulk != nil && s.bulk.len() >= bulkIDsCap {
		if err := s.buildIndexes(true); err != nil {
			return nil, err
		}
	}
	tx, err := s.w.Begin()
	if err != nil {
		return nil, err
	}
	// The columns an event's detail replaces are left empty; its detail and
	// raw record go to its block (raw_zstd = detail_zstd = inBlock, 2).
	insert := `INSERT INTO events(id, time_ns, time_no_zone, source_id, format, category, action,
		outcome, targets, changes, detail, detail_zstd, raw, raw_zstd, raw_sha256, k_category, k_action, k_outcome,
		k_actor_label, k_actor_email, k_ip, k_format, k_source)
		VALUES(?,?,?,?,'','','','','','',X'',2,X'',2,?,?,?,?,?,?,?,?,?)`
	if s.bulk == nil {
		insert += ` ON CONFLICT(id) DO NOTHING`
	}
	stmt, err := tx.Prepare(insert)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	b := &Batch{s: s, tx: tx, stmt: stmt, ids: s.bulk}
	for i, table := range blockTables {
		if b.blockStmts[i], err = tx.Prepare(`INSERT INTO ` + table + `(first_seq, n, content, zstd) VALUES(?,?,?,?)`); err != nil {
			b.Rollback()
			return nil, err
		}
	}
	return b, nil
}

// Insert adds ev unless an event with its id is already stored; it returns
// the new row's seq, or 0 for a duplicate.
func (b *Batch) Insert(ev *audit.Event) (int64, error) {
	k, err := b.eventTerms(ev)
	if err != nil {
		return 0, err
	}
	detail, err := encodeDetail(ev)
	if err != nil {
		return 0, err
	}
	if b.ids != nil && b.ids.has(ev.ID) {
		return 0, nil
	}
	ns := ev.Time.UnixNano()
	res, err := b.stmt.Exec(ev.ID, ns, ev.TimeNoZone, ev.Source.ID, packSHA256(ev.RawSHA256),
		k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7])
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if b.ids != nil {
		b.ids.add(ev.ID)
		b.idsAdded = append(b.idsAdded, ev.ID)
	}
	if err := b.queue(seq, ev.Format, ev.Raw, detail); err != nil {
		return 0, err
	}
	b.tally.add(k, b.all, ns)
	return seq, nil
}

// Commit ends the batch, with its counts.
func (b *Batch) Commit() error {
	err := b.writeBlocks()
	b.closeStmts()
	later := b.s.laterPairs // (pairs.go)
	flush := later != nil && len(later) >= laterPairsCap
	if err == nil {
		err = b.tally.write(b.tx, later == nil)
	}
	if err == nil && flush {
		err = later.write(b.tx)
	}
	if err != nil {
		b.Rollback()
		return err
	}
	if err := b.tx.Commit(); err != nil {
		b.forget()
		return err
	}
	if flush {
		later = pairs{}
		b.s.laterPairs = later
	}
	if later != nil {
		later.merge(b.tally.pairs)
	}
	b.tally = tally{}
	return nil
}

// Rollback abandons the batch.
func (b *Batch) Rollback() error {
	b.closeStmts()
	b.forget()
	return b.tx.Rollback()
}

func (b *Batch) closeStmts() {
	for _, st := range [...]*sql.Stmt{b.stmt, b.blockStmts[rawBlob], b.blockStmts[detailBlob]} {
		if st != nil {
			st.Close()
		}
	}
}

func (b *Batch) forget() {
	for _, k := range b.added {
		delete(b.s.termIDs, k)
	}
	b.added = nil
	for _, id := range b.idsAdded {
		b.ids.remove(id)
	}
	b.idsAdded = nil
	for i, c := range b.s.codecs {
		c.forget(b.dicts[i])
		b.dicts[i] = nil
	}
}

type scanner interface{ Scan(...any) error }

func (s *Store) scanEvent(r scanner) (int64, *audit.Event, error) {
	row, err := scanRow(r)
	if err != nil {
		return 0, nil, err
	}
	if err := s.decodeRow(row); err != nil {
		return 0, nil, err
	}
	return row.seq, row.ev, nil
}

// scannedRow is an event's row as read, its raw record and detail not yet
// decoded (decodeRow).
type scannedRow struct {
	seq               int64
	ev                *audit.Event
	targets, changes  string
	detail, raw       []byte
	detailHow, rawHow int
}

func scanRow(r scanner) (*scannedRow, error) {
	row := &scannedRow{ev: &audit.Event{}}
	ev := row.ev
	var ns int64
	var sum []byte
	var tags, notes string
	err := r.Scan(&row.seq, &ev.ID, &ns, &ev.TimeNoZone, &ev.Format, &ev.Source.ID, &ev.Source.Name, &ev.Source.Member,
		&ev.Category, &ev.Action, &ev.Outcome, &ev.Actor.ID, &ev.Actor.Name, &ev.Actor.Email, &ev.Actor.Type,
		&row.targets, &ev.IP, &ev.UserAgent, &ev.Session, &ev.Request, &ev.Message, &row.changes, &row.detail, &row.detailHow,
		&row.raw, &row.rawHow, &sum, &tags, &notes)
	if err != nil {
		return nil, err
	}
	ev.Time = time.Unix(0, ns).UTC()
	ev.RawSHA256 = unpackSHA256(sum)
	ev.Tags = []string{}
	if tags != "" {
		ev.Tags = strings.Split(tags, "\x1f")
		sort.Strings(ev.Tags)
	}
	if notes != "" && notes != "[]" {
		// (each with its id and time: exports and the API gave every note
		// id 0 at 0001-01-01, and a note holding \x1e came out as two)
		var ns []struct {
			ID   int64  `json:"id"`
			At   int64  `json:"at"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal([]byte(notes), &ns); err != nil {
			return nil, fmt.Errorf("event %s: its notes: %v", ev.ID, err)
		}
		for _, n := range ns {
			ev.Notes = append(ev.Notes, audit.Note{ID: n.ID, Text: n.Text, At: time.Unix(0, n.At).UTC()})
		}
	}
	return row, nil
}

// decodeRow fills the row's event with its raw record and detail.
func (s *Store) decodeRow(row *scannedRow) error {
	ev := row.ev
	var err error
	if ev.Raw, err = s.blob(rawBlob, row.seq, row.raw, row.rawHow); err != nil {
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	if err := s.readDetail(row.seq, row.detail, row.detailHow, row.targets, row.changes, ev); err != nil {
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	return nil
}

// decodeRows decodes the rows on blockReaders goroutines, each a run of
// consecutive seqs (the events of a block fall to one of them). Events
// scattered over a case each decode a block of their own: a history's
// ~900 at a million events spent ~40% of its time there. The error is the
// one of the lowest seq that failed.
func (s *Store) decodeRows(rows []*scannedRow) error {
	if len(rows) < 64 {
		for _, row := range rows {
			if err := s.decodeRow(row); err != nil {
				return err
			}
		}
		return nil
	}
	bySeq := slices.Clone(rows)
	slices.SortFunc(bySeq, func(a, b *scannedRow) int { return cmp.Compare(a.seq, b.seq) })
	errs := make([]error, len(bySeq))
	var wg sync.WaitGroup
	per := (len(bySeq) + blockReaders - 1) / blockReaders
	for start := 0; start < len(bySeq); start += per {
		end := min(start+per, len(bySeq))
		wg.Add(1)
		go func(part []*scannedRow, errs []error) {
			defer wg.Done()
			for i, row := range part {
				errs[i] = s.decodeRow(row)
			}
		}(bySeq[start:end], errs[start:end])
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// blob is the raw record (kind rawBlob) or the detail (detailBlob) of the
// event seq, whose row holds stored and how (0 plain, 1 compressed, or
// inBlock).
func (s *Store) blob(kind int, seq int64, stored []byte, how int) ([]byte, error) {
	if how == inBlock {
		return s.blockBlob(seq, kind)
	}
	return s.codecs[kind].unpack(stored, how == 1)
}

// hasDetail says whether an event's row holds a detail (stored, how) or
// points to its block: rows written before details have neither.
func hasDetail(stored []byte, how int) bool { return len(stored) > 0 || how == inBlock }

// readDetail fills ev from its stored detail or, for a row written before
// details (none stored), from the targets and changes columns; the other
// columns were scanned into ev already.
func (s *Store) readDetail(seq int64, stored []byte, how int, targets, changes string, ev *audit.Event) error {
	if !hasDetail(stored, how) {
		return decodeLists(targets, changes, ev)
	}
	detail, err := s.blob(detailBlob, seq, stored, how)
	if err != nil {
		return err
	}
	return decodeDetail(detail, ev)
}

// Event returns one event by id.
func (s *Store) Event(id string) (*audit.Event, error) {
	_, ev, err := s.scanEvent(s.r.QueryRow(`SELECT `+eventColumns+eventFrom+`WHERE e.id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, audit.Errorf(audit.ENOTFOUND, "no event %q in this case", id)
	}
	return ev, err
}

// EventsBySeqs returns the events stored with these seqs, in the order of
// seqs; unknown seqs are skipped. noRaw leaves their raw records out.
func (s *Store) EventsBySeqs(seqs []int64, noRaw bool) ([]*audit.Event, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	bySeq := make(map[int64]*audit.Event, len(seqs))
	for start := 0; start < len(seqs); start += 500 {
		chunk := seqs[start:min(start+500, len(seqs))]
		// seqs are integers, written inline as the terms' ids are.
		rows, err := s.r.Query(`SELECT ` + withoutRaw(eventColumns, noRaw) + eventFrom + `WHERE e.seq IN (` + idList(chunk) + `)`)
		if err != nil {
			return nil, err
		}
		var scanned []*scannedRow
		for rows.Next() {
			row, err := scanRow(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			scanned = append(scanned, row)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		// Decoded once the rows are read: the reading connection is free
		// again, and the blocks are read on their own pool.
		if err := s.decodeRows(scanned); err != nil {
			return nil, err
		}
		for _, row := range scanned {
			bySeq[row.seq] = row.ev
		}
	}
	out := make([]*audit.Event, 0, len(seqs))
	for _, seq := range seqs {
		if ev, ok := bySeq[seq]; ok {
			out = append(out, ev)
		}
	}
	return out, nil
}

// EachAfter calls fn for every event with seq > after, in seq order,
// streaming (the index is rebuilt and caught up with it).
func (s *Store) EachAfter(ctx context.Context, after int64, fn func(seq int64, ev *audit.Event) error) error {
	cols := s.scanColumns(ctx, false)
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The pass reads each page once: a reader's cache would only fill
	// (a 1M reindex: 412 -> 289 MiB anonymous memory at its peak).
	var readers int
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&readers); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -2000`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA cache_size = %d`, readers))
	rows, err := conn.QueryContext(ctx, `SELECT `+cols+eventFrom+`WHERE e.seq > ? ORDER BY e.seq`, after)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		seq, ev, err := s.scanEvent(rows)
		if err != nil {
			return err
		}
		if err := fn(seq, ev); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MaxSeq is the seq of the newest stored event (0 when empty).
func (s *Store) MaxSeq() (int64, error) {
	var n sql.NullInt64
	err := s.r.QueryRow(`SELECT max(seq) FROM events`).Scan(&n)
	return n.Int64, err
}

// packSHA256 stores a record's SHA-256 as its 32 bytes, not 64 hex digits;
// anything else (no hash) is stored as it is. Rows written before keep
// their hex text: the column holds either.
func packSHA256(h string) any {
	if b, err := hex.DecodeString(h); err == nil && len(b) == sha256.Size {
		return b
	}
	return h
}

// unpackSHA256 is the hex form of what packSHA256 stored.
func unpackSHA256(stored []byte) string {
	if len(stored) == sha256.Size {
		return hex.EncodeToString(stored)
	}
	return string(stored)
}
