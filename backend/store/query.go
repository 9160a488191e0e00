package store

import (
	"context"
	"database/sql"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"auditlens/backend/audit"
)

// Op is the kind of a Filter node.
type Op int

const (
	OpAll  Op = iota // every event
	OpTerm           // Field has Value, or a value matching Pattern
	OpAnd
	OpOr
	OpNot
)

// Filter is a structured query over TermFields: the search package builds it
// from a parsed query when every term of the query names one of them, so
// that SQLite answers with exactly the events the search index would.
type Filter struct {
	Op      Op
	Field   string         // OpTerm: one of TermFields
	Value   string         // OpTerm: a folded value, matched whole
	Pattern *regexp.Regexp // OpTerm: or a pattern every folded value is tried against
	Kids    []*Filter
}

// Selection is a filter within [From, To) (a zero time leaves that end open).
type Selection struct {
	Filter   *Filter
	From, To time.Time
	NoRaw    bool // Each leaves the raw records out (a report needs none)
}

// node is a Filter with its terms resolved to ids.
type node struct {
	op     Op
	column string
	field  int // OpTerm: the place of its field in TermFields
	ids    []int64
	n      int64 // OpTerm: the events having one of ids (terms.n)
	kids   []*node
	broad  bool // read along the time index, not this term's (see ordered)
}

// Selected is a Selection with its terms looked up once, ready to be paged,
// counted, bucketed or scanned (Store.Select).
type Selected struct {
	s      *Store
	root   *node
	lo, hi int64 // [lo, hi) in unix nanoseconds
	open   bool  // no time range at all
	where  string
	noRaw  bool
	fields map[string]bool // the fields the filter names
}

// Select looks up sel's terms.
func (s *Store) Select(sel Selection) (*Selected, error) {
	x := &Selected{s: s, open: sel.From.IsZero() && sel.To.IsZero(), noRaw: sel.NoRaw, fields: map[string]bool{}}
	x.lo, x.hi = nanoRange(sel.From, sel.To)
	f := sel.Filter
	if f == nil {
		f = &Filter{Op: OpAll}
	}
	var err error
	if x.root, err = s.resolve(f, x.fields); err != nil {
		return nil, err
	}
	x.root = x.root.simplify()
	var b strings.Builder
	x.root.sql(&b)
	x.where = b.String()
	return x, nil
}

// simplify flattens the tree the query parser makes (a lone term is a
// disjunction of one) and merges alternatives on one field into one term,
// so that the kept counts answer more queries.
func (n *node) simplify() *node {
	for i, k := range n.kids {
		n.kids[i] = k.simplify()
	}
	if (n.op == OpAnd || n.op == OpOr) && len(n.kids) == 1 {
		return n.kids[0]
	}
	if n.op == OpOr && len(n.kids) > 1 {
		merged := &node{op: OpTerm, column: n.kids[0].column, field: n.kids[0].field}
		seen := map[int64]bool{}
		for _, k := range n.kids {
			if k.op != OpTerm || k.column != merged.column {
				return n
			}
			merged.n += k.n // an estimate: a value named twice counts twice
			for _, id := range k.ids {
				if !seen[id] {
					seen[id] = true
					merged.ids = append(merged.ids, id)
				}
			}
		}
		return merged
	}
	return n
}

// ordered is the WHERE clause for reads newest first: a term matching many
// values and many events is left to be checked row by row along the time
// index (its own index would give its rows in no time order, all of them
// to be sorted before the first page).
func (x *Selected) ordered() (string, []any, error) {
	total, err := x.s.EventCount()
	if err != nil {
		return "", nil, err
	}
	x.root.markBroad(int64(total))
	var b strings.Builder
	x.root.sql(&b)
	return b.String() + ` AND e.time_ns >= ? AND e.time_ns < ?`, []any{x.lo, x.hi}, nil
}

// markBroad marks the terms to be checked row by row along the time index:
// a term of several values holding more than 2% of the case, and every term
// under a disjunction that does (SQLite would read each alternative's index
// and sort the union of their rows before the first page).
func (n *node) markBroad(total int64) {
	if n.op == OpOr && n.estimate(total)*50 > total {
		n.setBroad()
		return
	}
	for _, k := range n.kids {
		k.markBroad(total)
	}
	if n.op == OpTerm && len(n.ids) > 1 {
		n.broad = n.n*50 > total
	}
}

func (n *node) setBroad() {
	n.broad = true
	for _, k := range n.kids {
		k.setBroad()
	}
}

// resolve looks the filter's values up in terms: an exact value is one id
// (or none), a pattern every id whose folded value it matches whole.
func (s *Store) resolve(f *Filter, fields map[string]bool) (*node, error) {
	n := &node{op: f.Op}
	switch f.Op {
	case OpTerm:
		fields[f.Field] = true
		n.column, n.field = termColumn[f.Field], slices.Index(TermFields, f.Field)
		if n.column == "" || n.field < 0 {
			return nil, audit.Errorf(audit.EINTERNAL, "no term column for %q", f.Field)
		}
		q, args := `SELECT id, folded, n FROM terms WHERE field = ?`, []any{f.Field}
		if f.Pattern == nil {
			q, args = q+` AND folded = ?`, append(args, f.Value)
		} else if prefix, _ := f.Pattern.LiteralPrefix(); prefix != "" {
			q, args = q+` AND folded >= ? AND folded < ?`, append(args, prefix, prefix+"\U0010FFFF")
		}
		var id, count int64
		var folded string
		rows, err := s.r.Query(q, args...)
		return n, eachRow(rows, err, func() error {
			if err := rows.Scan(&id, &folded, &count); err != nil {
				return err
			}
			if f.Pattern == nil || f.Pattern.MatchString(folded) {
				n.ids = append(n.ids, id)
				n.n += count
			}
			return nil
		})
	case OpAnd, OpOr, OpNot:
		for _, k := range f.Kids {
			kn, err := s.resolve(k, fields)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kn)
		}
	}
	return n, nil
}

// sql writes the node as a condition on events e (ids are integers the
// store made, so they are written inline).
func (n *node) sql(b *strings.Builder) {
	switch n.op {
	case OpAll:
		b.WriteString("1")
	case OpTerm:
		if len(n.ids) == 0 {
			b.WriteString("0")
			return
		}
		if n.broad {
			b.WriteByte('+') // SQLite: use no index for this term
		}
		if len(n.ids) == 1 {
			b.WriteString("e." + n.column + " = " + strconv.FormatInt(n.ids[0], 10))
			return
		}
		b.WriteString("e." + n.column + " IN (" + idList(n.ids) + ")")
	case OpAnd, OpOr:
		if len(n.kids) == 0 {
			b.WriteString(map[Op]string{OpAnd: "1", OpOr: "0"}[n.op])
			return
		}
		b.WriteByte('(')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(map[Op]string{OpAnd: " AND ", OpOr: " OR "}[n.op])
			}
			k.sql(b)
		}
		b.WriteByte(')')
	case OpNot:
		b.WriteString("NOT (")
		if len(n.kids) == 1 {
			n.kids[0].sql(b)
		} else {
			b.WriteString("1")
		}
		b.WriteByte(')')
	}
}

// match evaluates the node on an event's category and outcome ids (only for
// filters naming no other field: see timelineOnly).
func (n *node) match(cat, out int64) bool {
	switch n.op {
	case OpAll:
		return true
	case OpTerm:
		v := cat
		if n.column == "k_outcome" {
			v = out
		}
		for _, id := range n.ids {
			if id == v {
				return true
			}
		}
		return false
	case OpAnd:
		for _, k := range n.kids {
			if !k.match(cat, out) {
				return false
			}
		}
		return true
	case OpOr:
		for _, k := range n.kids {
			if k.match(cat, out) {
				return true
			}
		}
		return false
	case OpNot:
		return len(n.kids) == 1 && !n.kids[0].match(cat, out)
	}
	return false
}

// timelineOnly: the filter names only category and outcome, so the
// timeline table can count it.
func (x *Selected) timelineOnly() bool {
	for f := range x.fields {
		if f != "category" && f != "outcome" {
			return false
		}
	}
	return true
}

// cond is the WHERE clause: the filter and the time range.
func (x *Selected) cond() (string, []any) {
	return x.where + ` AND e.time_ns >= ? AND e.time_ns < ?`, []any{x.lo, x.hi}
}

// PageKey is where a page ends: the last event's time and seq.
type PageKey struct {
	TimeNS int64
	Seq    int64
}

// PageCount is Page and Count together. A selection of several terms or a
// negation that SQLite would read many rows for (byColumns) is paged and
// counted by one pass over the columns (~10 ms at 1M demo events): newest
// first along the time index, SQLite reads rows until the page is full,
// every one of them when few or none match (`+action:alert.*
// -outcome:success`, none of 1M: 850 ms). A term, or everything, is paged
// along its own time-ordered index, and counted from the kept counts.
func (x *Selected) PageCount(after *PageKey, limit int) ([]int64, uint64, *PageKey, error) {
	if cols, err := x.Unordered(); err != nil || cols {
		if err != nil {
			return nil, 0, nil, err
		}
		return x.columnPage(after, limit)
	}
	seqs, last, err := x.Page(after, limit)
	if err != nil {
		return nil, 0, nil, err
	}
	total, err := x.Count()
	return seqs, total, last, err
}

// Page lists the seqs of at most limit events, newest first (ties by seq
// descending, the search index's order), after the key when one is given.
func (x *Selected) Page(after *PageKey, limit int) ([]int64, *PageKey, error) {
	where, args, err := x.ordered()
	if err != nil {
		return nil, nil, err
	}
	if after != nil {
		where += ` AND (e.time_ns, e.seq) < (?, ?)`
		args = append(args, after.TimeNS, after.Seq)
	}
	var seqs []int64
	var last PageKey
	rows, err := x.s.r.Query(`SELECT e.seq, e.time_ns FROM events e WHERE `+where+` ORDER BY e.time_ns DESC, e.seq DESC LIMIT ?`, append(args, limit)...)
	err = eachRow(rows, err, func() error {
		if err := rows.Scan(&last.Seq, &last.TimeNS); err != nil {
			return err
		}
		seqs = append(seqs, last.Seq)
		return nil
	})
	if err != nil || len(seqs) < limit {
		return seqs, nil, err
	}
	return seqs, &last, nil
}

// Count counts the events, from the kept counts where it can.
func (x *Selected) Count() (uint64, error) {
	switch {
	case x.root.op == OpAll && x.open:
		return x.s.EventCount()
	case x.root.op == OpTerm && x.open:
		return x.s.termTotal(x.root.ids)
	case x.timelineOnly():
		counts, err := x.timeline([]int64{x.lo, x.hi}, "")
		if err != nil {
			return 0, err
		}
		var n uint64
		for _, c := range counts {
			n += uint64(c[0])
		}
		return n, nil
	}
	if cols, err := x.byColumns(); err != nil || cols {
		if err != nil {
			return 0, err
		}
		return x.columnCount()
	}
	where, args := x.cond()
	var n uint64
	err := x.s.r.QueryRow(`SELECT count(*) FROM events e WHERE `+where, args...).Scan(&n)
	return n, err
}

func (s *Store) termTotal(ids []int64) (uint64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n uint64
	err := s.r.QueryRow(`SELECT coalesce(sum(n), 0) FROM terms WHERE id IN (` + idList(ids) + `)`).Scan(&n)
	return n, err
}

func idList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// Unordered tells whether x is paged by a pass over the columns (see
// PageCount), and should be put on a timeline so (EachTime): it is not one
// term, or everything, whose index is in time order, and SQLite would read
// many rows for it.
func (x *Selected) Unordered() (bool, error) {
	if x.root.op == OpTerm || x.root.op == OpAll {
		return false, nil
	}
	return x.byColumns()
}

// Bounds gives the times of the oldest and the newest event (ok false when
// there is none), along the time index: for an Unordered selection, which it
// may read every row of, EachTime hands the times in one pass.
func (x *Selected) Bounds() (oldest, newest int64, ok bool, err error) {
	where, args, err := x.ordered()
	if err != nil {
		return 0, 0, false, err
	}
	for _, order := range []string{"ASC", "DESC"} {
		var ns int64
		err := x.s.r.QueryRow(`SELECT e.time_ns FROM events e WHERE `+where+` ORDER BY e.time_ns `+order+` LIMIT 1`, args...).Scan(&ns)
		if err == sql.ErrNoRows {
			return 0, 0, false, nil
		}
		if err != nil {
			return 0, 0, false, err
		}
		if order == "ASC" {
			oldest = ns
		} else {
			newest = ns
		}
	}
	return oldest, newest, true, nil
}

// Histogram counts the events in the buckets [edges[i], edges[i+1]) split
// by the folded values of stack ("category" or "outcome").
func (x *Selected) Histogram(edges []time.Time, stack string) (map[string][]int, error) {
	ns := make([]int64, len(edges))
	for i, e := range edges {
		ns[i] = e.UnixNano()
	}
	byID, err := x.timeline(ns, stack)
	if err != nil {
		return nil, err
	}
	out := map[string][]int{}
	if len(byID) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	names, err := x.s.termNames(ids)
	if err != nil {
		return nil, err
	}
	for id, counts := range byID {
		out[names[id].folded] = counts
	}
	return out, nil
}

// timeline counts the selection in buckets of edges (unix ns), by the term
// id of stack ("" puts everything under id 0). Filters on category and
// outcome over whole hours read the timeline table; the rest, and the
// part-hours at the ends, read events.
func (x *Selected) timeline(edges []int64, stack string) (map[int64][]int, error) {
	out := map[int64][]int{}
	if len(edges) < 2 {
		return out, nil
	}
	lo, hi := max(x.lo, edges[0]), min(x.hi, edges[len(edges)-1])
	if lo >= hi {
		return out, nil
	}
	buckets := &bucketCounts{edges: edges, out: out}
	const hour = int64(time.Hour)
	aligned := stack == "" || stack == "category" || stack == "outcome"
	for _, e := range edges[1 : len(edges)-1] { // a whole hour falls in one bucket
		if e%hour != 0 {
			aligned = false
		}
	}
	// [hlo, hhi): the whole hours the timeline table answers.
	hlo, hhi := ceilHour(lo), floorHour(hi)
	if !x.timelineOnly() || !aligned || hlo >= hhi {
		if cols, err := x.byColumns(); err != nil || cols {
			if err != nil {
				return nil, err
			}
			return out, x.columnTimeline(buckets, slices.Index(TermFields, stack))
		}
		hlo, hhi = hi, hi
	}
	if hlo < hhi {
		var h, cat, oc int64
		var n int
		rows, err := x.s.r.Query(`SELECT hour, k_category, k_outcome, n FROM timeline WHERE hour >= ? AND hour < ?`, hlo/hour, hhi/hour)
		err = eachRow(rows, err, func() error {
			if err := rows.Scan(&h, &cat, &oc, &n); err != nil {
				return err
			}
			if x.root.match(cat, oc) {
				key := int64(0)
				switch stack {
				case "category":
					key = cat
				case "outcome":
					key = oc
				}
				buckets.add(h*hour, key, n)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// The events outside the whole hours: [lo, hlo) and [hhi, hi).
	col := "0"
	if c := termColumn[stack]; c != "" {
		col = "e." + c
	}
	for _, r := range [][2]int64{{lo, hlo}, {hhi, hi}} {
		if r[0] >= r[1] {
			continue
		}
		var ns, key int64
		rows, err := x.s.r.Query(`SELECT e.time_ns, `+col+` FROM events e WHERE `+x.where+` AND e.time_ns >= ? AND e.time_ns < ?`, r[0], r[1])
		err = eachRow(rows, err, func() error {
			if err := rows.Scan(&ns, &key); err != nil {
				return err
			}
			buckets.add(ns, key, 1)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bucketCounts counts events into the buckets [edges[i], edges[i+1]) by a
// key (a stack value's term id, or 0): out[key][bucket].
type bucketCounts struct {
	edges []int64
	out   map[int64][]int
	last  int // the last event's bucket: events come nearly in time order
}

func (b *bucketCounts) add(ns, key int64, n int) {
	if ns < b.edges[0] || ns >= b.edges[len(b.edges)-1] {
		return
	}
	if ns < b.edges[b.last] || ns >= b.edges[b.last+1] {
		b.last = sort.Search(len(b.edges), func(i int) bool { return b.edges[i] > ns }) - 1
	}
	c := b.out[key]
	if c == nil {
		c = make([]int, len(b.edges)-1)
		b.out[key] = c
	}
	c[b.last] += n
}

func floorHour(ns int64) int64 {
	if ns == math.MaxInt64 || ns == math.MinInt64 {
		return ns
	}
	return hourOf(ns) * int64(time.Hour)
}

func ceilHour(ns int64) int64 {
	if ns == math.MaxInt64 || ns == math.MinInt64 {
		return ns
	}
	f := floorHour(ns)
	if f == ns {
		return ns
	}
	return f + int64(time.Hour)
}

type termName struct{ folded, display string }

func (s *Store) termNames(ids []int64) (map[int64]termName, error) {
	out := make(map[int64]termName, len(ids))
	for start := 0; start < len(ids); start += 5000 {
		var id int64
		var t termName
		rows, err := s.r.Query(`SELECT id, folded, display FROM terms WHERE id IN (` + idList(ids[start:min(start+5000, len(ids))]) + `)`)
		err = eachRow(rows, err, func() error {
			if err := rows.Scan(&id, &t.folded, &t.display); err != nil {
				return err
			}
			out[id] = t
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FacetValue is one value of a facet: as queries match it, as the records
// spell it, and how many events have it.
type FacetValue struct {
	Folded, Display string
	Count           int
}

// FacetCount is the top values of one field among a selection's events.
type FacetCount struct {
	Field string
	Total int
	Top   []FacetValue
}

// Facets counts the top size values of each of fields (TermFields or
// "tag") among the events, most frequent first, ties by value.
func (x *Selected) Facets(fields []string, size int) ([]FacetCount, error) {
	s := x.s
	counts := map[string]map[int64]int{}
	var cols []string
	for _, f := range fields {
		if c := termColumn[f]; c != "" {
			counts[f] = map[int64]int{}
			cols = append(cols, f)
		}
	}
	whole := x.root.op == OpAll && x.open
	var err error
	byPairs := x.open && x.root.op == OpTerm && len(cols) > 0
	if byPairs {
		byPairs, err = pairsComplete(s.r)
	}
	switch {
	case err != nil:
	case len(cols) == 0:
	case whole:
		err = s.termFacets(cols, counts)
	case byPairs:
		err = x.pairFacets(counts)
	default:
		var byCols bool
		if byCols, err = x.byColumns(); byCols {
			err = x.columnFacets(cols, counts)
		} else if err == nil {
			err = x.rowFacets(cols, counts)
		}
	}
	if err != nil {
		return nil, err
	}
	return s.topFacets(fields, size, counts, func() ([]FacetValue, error) { return x.tagCounts(whole) })
}

// termFacets counts fields over the whole case: terms.n.
func (s *Store) termFacets(fields []string, counts map[string]map[int64]int) error {
	for _, f := range fields {
		var id int64
		var n int
		rows, err := s.r.Query(`SELECT id, n FROM terms WHERE field = ? AND n > 0`, f)
		err = eachRow(rows, err, func() error {
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			counts[f][id] = n
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// rowFacets counts fields over the selection's rows.
func (x *Selected) rowFacets(fields []string, counts map[string]map[int64]int) error {
	sel := make([]string, len(fields))
	for i, f := range fields {
		sel[i] = "e." + termColumn[f]
	}
	where, args := x.cond()
	ids := make([]int64, len(fields))
	ptrs := make([]any, len(fields))
	for i := range ids {
		ptrs[i] = &ids[i]
	}
	rows, err := x.s.r.Query(`SELECT `+strings.Join(sel, ", ")+` FROM events e WHERE `+where, args...)
	return eachRow(rows, err, func() error {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, id := range ids {
			if id != 0 {
				counts[fields[i]][id]++
			}
		}
		return nil
	})
}

// topFacets gives the top size values of each of fields, most frequent
// first, ties by value, from the counts of each field's term ids and, for
// "tag", what tags gives.
func (s *Store) topFacets(fields []string, size int, counts map[string]map[int64]int, tags func() ([]FacetValue, error)) ([]FacetCount, error) {
	var all []int64
	for _, m := range counts {
		for id := range m {
			all = append(all, id)
		}
	}
	names, err := s.termNames(all)
	if err != nil {
		return nil, err
	}
	out := make([]FacetCount, 0, len(fields))
	for _, f := range fields {
		var vals []FacetValue
		if f == "tag" {
			if vals, err = tags(); err != nil {
				return nil, err
			}
		} else {
			for id, n := range counts[f] {
				vals = append(vals, FacetValue{Folded: names[id].folded, Display: names[id].display, Count: n})
			}
		}
		fc := FacetCount{Field: f}
		for _, v := range vals {
			fc.Total += v.Count
		}
		sort.Slice(vals, func(i, j int) bool {
			if vals[i].Count != vals[j].Count {
				return vals[i].Count > vals[j].Count
			}
			return vals[i].Folded < vals[j].Folded
		})
		fc.Top = vals[:min(size, len(vals))]
		out = append(out, fc)
	}
	return out, nil
}

// pairFacets counts the facets of one term (or a pattern's terms, of one
// field: an event has one value of a field, so their counts add) over the
// whole case without reading its events: the term's own field from
// terms.n, every other from term_pairs.
func (x *Selected) pairFacets(counts map[string]map[int64]int) error {
	if len(x.root.ids) == 0 {
		return nil
	}
	in := idList(x.root.ids) // ids the store made: integers, written inline
	var field string
	var id int64
	var n int
	rows, err := x.s.r.Query(`SELECT t.field, p.b, sum(p.n) FROM term_pairs p JOIN terms t ON t.id = p.b
		WHERE p.a IN (` + in + `) GROUP BY p.b
		UNION ALL SELECT field, id, n FROM terms WHERE id IN (` + in + `) AND n > 0`)
	return eachRow(rows, err, func() error {
		if err := rows.Scan(&field, &id, &n); err != nil {
			return err
		}
		if counts[field] != nil {
			counts[field][id] = n
		}
		return nil
	})
}

// tagCounts counts the tags of the selection's events, folded as the index
// folds them.
func (x *Selected) tagCounts(whole bool) ([]FacetValue, error) {
	q, args := x.tagCountQuery(whole)
	byTag := map[string]int{}
	var t string
	rows, err := x.s.r.Query(q, args...)
	err = eachRow(rows, err, func() error {
		if err := rows.Scan(&t); err != nil {
			return err
		}
		if t != "" {
			byTag[Fold(t)]++
		}
		return nil
	})
	return tagValues(byTag), err
}

func tagValues(byTag map[string]int) []FacetValue {
	var out []FacetValue
	for t, n := range byTag {
		out = append(out, FacetValue{Folded: t, Display: t, Count: n})
	}
	return out
}

// tagCountQuery reads the tag of every tagged event of the selection. It
// walks the tags and looks each one's event up (CROSS JOIN keeps that
// order): tags are a person's marks, few beside the events, and the planner,
// which has no statistics, otherwise walked the selection and looked every
// event up in the tags (category:alert at 1M: 605k look-ups, 280 ms, for a
// table of a few rows).
func (x *Selected) tagCountQuery(whole bool) (string, []any) {
	if whole {
		return `SELECT t.tag FROM event_tags t`, nil
	}
	where, args := x.cond()
	return `SELECT t.tag FROM event_tags t CROSS JOIN events e ON e.id = t.event_id WHERE ` + where, args
}

// Each calls fn for every event, newest first (ties by seq descending),
// streaming.
func (x *Selected) Each(ctx context.Context, fn func(*audit.Event) error) error {
	where, args, err := x.ordered()
	if err != nil {
		return err
	}
	rows, err := x.s.r.QueryContext(ctx, `SELECT `+x.s.scanColumns(ctx, x.noRaw)+eventFrom+`WHERE `+where+` ORDER BY e.time_ns DESC, e.seq DESC`, args...)
	return eachRow(rows, err, func() error {
		_, ev, err := x.s.scanEvent(rows)
		if err != nil {
			return err
		}
		return fn(ev)
	})
}

// eachRow calls scan for every row of a query (rows, err: its result) and
// closes it.
func eachRow(rows *sql.Rows, err error, scan func() error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// TimeSpan gives the times of the case's oldest and newest events (zero
// times when it has none), from the time index.
func (s *Store) TimeSpan() (oldest, newest time.Time, err error) {
	var lo, hi sql.NullInt64
	if err := s.r.QueryRow(`SELECT (SELECT time_ns FROM events ORDER BY time_ns LIMIT 1), (SELECT time_ns FROM events ORDER BY time_ns DESC LIMIT 1)`).Scan(&lo, &hi); err != nil || !lo.Valid {
		return time.Time{}, time.Time{}, err
	}
	return time.Unix(0, lo.Int64).UTC(), time.Unix(0, hi.Int64).UTC(), nil
}
