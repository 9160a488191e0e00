package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"auditlens/backend/audit"
)

const eventColumns = `e.seq, e.id, e.time_ns, e.time_no_zone, e.format, e.source_id, coalesce(s.path, ''),
	coalesce(s.member, ''), e.category, e.action, e.outcome, e.actor_id, e.actor_name, e.actor_email,
	e.actor_type, e.targets, e.ip, e.user_agent, e.session, e.request, e.message, e.changes, e.raw, e.raw_zstd, e.raw_sha256,
	coalesce((SELECT group_concat(t.tag, char(31)) FROM event_tags t WHERE t.event_id = e.id), ''),
	coalesce((SELECT group_concat(n.text, char(30)) FROM (SELECT text FROM notes WHERE event_id = e.id ORDER BY id) n), '')`

// columnsFast reads no tags or notes: for long scans of a case that has none.
const columnsFast = `e.seq, e.id, e.time_ns, e.time_no_zone, e.format, e.source_id, coalesce(s.path, ''),
	coalesce(s.member, ''), e.category, e.action, e.outcome, e.actor_id, e.actor_name, e.actor_email,
	e.actor_type, e.targets, e.ip, e.user_agent, e.session, e.request, e.message, e.changes, e.raw, e.raw_zstd, e.raw_sha256, '', ''`

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
	if noRaw {
		cols = strings.Replace(cols, "e.raw, e.raw_zstd,", "X'', 0,", 1)
	}
	return cols
}

const eventFrom = ` FROM events e LEFT JOIN sources s ON s.id = e.source_id `

// Batch writes events in one transaction with a prepared statement.
type Batch struct {
	s     *Store
	tx    *sql.Tx
	stmt  *sql.Stmt
	added []termKey // terms this batch added (forgotten if it is rolled back)
	dicts []uint32  // raw-record dictionaries it added (likewise)
	all   int64     // id of the term every event has
	tally tally
}

// BeginBatch starts a write transaction.
func (s *Store) BeginBatch() (*Batch, error) {
	tx, err := s.w.Begin()
	if err != nil {
		return nil, err
	}
	stmt, err := tx.Prepare(`INSERT INTO events(id, time_ns, time_no_zone, format, source_id, category, action,
		outcome, actor_id, actor_name, actor_email, actor_type, targets, ip, user_agent, session, request,
		message, changes, raw, raw_zstd, raw_sha256, k_category, k_action, k_outcome, k_actor_label, k_actor_email, k_ip,
		k_format, k_source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return &Batch{s: s, tx: tx, stmt: stmt}, nil
}

// Insert adds ev unless an event with its id is already stored; it returns
// the new row's seq, or 0 for a duplicate.
func (b *Batch) Insert(ev *audit.Event) (int64, error) {
	targets, err := json.Marshal(nonNilTargets(ev.Targets))
	if err != nil {
		return 0, err
	}
	changes, err := json.Marshal(nonNilChanges(ev.Changes))
	if err != nil {
		return 0, fmt.Errorf("changes of event %s: %v", ev.ID, err)
	}
	k, err := b.eventTerms(ev)
	if err != nil {
		return 0, err
	}
	ns := ev.Time.UnixNano()
	raw, zstd, dict, err := b.s.raw.pack(ev.Format, ev.Raw, b.saveDict)
	if err != nil {
		return 0, err
	}
	if dict != 0 {
		b.dicts = append(b.dicts, dict)
	}
	res, err := b.stmt.Exec(ev.ID, ns, ev.TimeNoZone, ev.Format, ev.Source.ID, ev.Category,
		ev.Action, ev.Outcome, ev.Actor.ID, ev.Actor.Name, ev.Actor.Email, ev.Actor.Type, string(targets),
		ev.IP, ev.UserAgent, ev.Session, ev.Request, ev.Message, string(changes), raw, zstd, ev.RawSHA256,
		k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7])
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil
	}
	b.tally.add(k, b.all, ns)
	return res.LastInsertId()
}

// Commit ends the batch, with its counts.
func (b *Batch) Commit() error {
	b.stmt.Close()
	if err := b.tally.write(b.tx); err != nil {
		b.Rollback()
		return err
	}
	if err := b.tx.Commit(); err != nil {
		b.forget()
		return err
	}
	return nil
}

// Rollback abandons the batch.
func (b *Batch) Rollback() error {
	b.stmt.Close()
	b.forget()
	return b.tx.Rollback()
}

func (b *Batch) forget() {
	for _, k := range b.added {
		delete(b.s.termIDs, k)
	}
	b.added = nil
	b.s.raw.forget(b.dicts)
	b.dicts = nil
}

// saveDict stores a format's raw-record dictionary in the batch's
// transaction. Another process may have stored one first: then that one is
// used.
func (b *Batch) saveDict(format string, content []byte) (int64, []byte, error) {
	var id int64
	err := b.tx.QueryRow(`INSERT INTO raw_dicts(format, content) VALUES(?, ?)
		ON CONFLICT(format) DO UPDATE SET format = format RETURNING id, content`, format, content).Scan(&id, &content)
	return id, content, err
}

func nonNilTargets(t []audit.Target) []audit.Target {
	if t == nil {
		return []audit.Target{}
	}
	return t
}

func nonNilChanges(c []audit.Change) []audit.Change {
	if c == nil {
		return []audit.Change{}
	}
	return c
}

type scanner interface{ Scan(...any) error }

func (s *Store) scanEvent(r scanner) (int64, *audit.Event, error) {
	var ev audit.Event
	var seq, ns int64
	var targets, changes string
	var raw []byte
	var zstd bool
	var tags, notes string
	err := r.Scan(&seq, &ev.ID, &ns, &ev.TimeNoZone, &ev.Format, &ev.Source.ID, &ev.Source.Name, &ev.Source.Member,
		&ev.Category, &ev.Action, &ev.Outcome, &ev.Actor.ID, &ev.Actor.Name, &ev.Actor.Email, &ev.Actor.Type,
		&targets, &ev.IP, &ev.UserAgent, &ev.Session, &ev.Request, &ev.Message, &changes, &raw, &zstd, &ev.RawSHA256, &tags, &notes)
	if err != nil {
		return 0, nil, err
	}
	ev.Time = time.Unix(0, ns).UTC()
	if ev.Raw, err = s.raw.unpack(raw, zstd); err != nil {
		return 0, nil, fmt.Errorf("event %s: %w", ev.ID, err)
	}
	ev.Tags = []string{}
	if tags != "" {
		ev.Tags = strings.Split(tags, "\x1f")
		sort.Strings(ev.Tags)
	}
	if notes != "" {
		for _, n := range strings.Split(notes, "\x1e") {
			ev.Notes = append(ev.Notes, audit.Note{Text: n})
		}
	}
	if targets == "[]" {
		ev.Targets = []audit.Target{}
	} else if err := gojson.Unmarshal([]byte(targets), &ev.Targets); err != nil {
		return 0, nil, err
	}
	if err := decodeChanges(changes, &ev.Changes); err != nil {
		return 0, nil, err
	}
	return seq, &ev, nil
}

// decodeChanges keeps numbers exact (json.Number), as the importer made them.
func decodeChanges(s string, out *[]audit.Change) error {
	if s == "[]" {
		*out = []audit.Change{}
		return nil
	}
	dec := gojson.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	return dec.Decode(out)
}

// Event returns one event by id.
func (s *Store) Event(id string) (*audit.Event, error) {
	_, ev, err := s.scanEvent(s.r.QueryRow(`SELECT `+eventColumns+eventFrom+`WHERE e.id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, audit.Errorf(audit.ENOTFOUND, "no event %q in this case", id)
	}
	return ev, err
}

// EventsByIDs returns the events with these ids, in the order of ids;
// unknown ids are skipped.
func (s *Store) EventsByIDs(ids []string) ([]*audit.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	byID := make(map[string]*audit.Event, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := `SELECT ` + eventColumns + eventFrom + `WHERE e.id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		rows, err := s.r.Query(q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			_, ev, err := s.scanEvent(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			byID[ev.ID] = ev
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]*audit.Event, 0, len(ids))
	for _, id := range ids {
		if ev, ok := byID[id]; ok {
			out = append(out, ev)
		}
	}
	return out, nil
}

// EachAfter calls fn for every event with seq > after, in seq order,
// streaming (the index is rebuilt and caught up with it).
func (s *Store) EachAfter(ctx context.Context, after int64, fn func(seq int64, ev *audit.Event) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+s.scanColumns(ctx, false)+eventFrom+`WHERE e.seq > ? ORDER BY e.seq`, after)
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
