package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	gojson "github.com/goccy/go-json"

	"auditlens/backend/audit"
)

// An event's detail (migration 0009) is its normalized fields that no query
// reads, one after another, each as a uvarint length and its bytes: format,
// category, action, outcome, actor id, name, email and type, IP, user
// agent, session, request, message, then the targets and the changes as
// JSON (empty when there are none). Stored as separate columns they took
// 440 bytes of a demo event; as one blob compressed against its format's
// dictionary, 125.

// detailStrings are the string fields of ev in the detail's order.
func detailStrings(ev *audit.Event) [13]*string {
	return [13]*string{&ev.Format, &ev.Category, &ev.Action, &ev.Outcome, &ev.Actor.ID, &ev.Actor.Name,
		&ev.Actor.Email, &ev.Actor.Type, &ev.IP, &ev.UserAgent, &ev.Session, &ev.Request, &ev.Message}
}

// encodeDetail is ev's detail, uncompressed.
func encodeDetail(ev *audit.Event) ([]byte, error) {
	var targets, changes []byte
	var err error
	if len(ev.Targets) > 0 {
		if targets, err = gojson.Marshal(ev.Targets); err != nil {
			return nil, fmt.Errorf("targets of event %s: %v", ev.ID, err)
		}
	}
	if len(ev.Changes) > 0 {
		if changes, err = gojson.Marshal(ev.Changes); err != nil {
			return nil, fmt.Errorf("changes of event %s: %v", ev.ID, err)
		}
	}
	n := len(targets) + len(changes) + 2*binary.MaxVarintLen32
	for _, s := range detailStrings(ev) {
		n += len(*s) + binary.MaxVarintLen32
	}
	b := make([]byte, 0, n)
	for _, s := range detailStrings(ev) {
		b = binary.AppendUvarint(b, uint64(len(*s)))
		b = append(b, *s...)
	}
	for _, j := range [][]byte{targets, changes} {
		b = binary.AppendUvarint(b, uint64(len(j)))
		b = append(b, j...)
	}
	return b, nil
}

var errDetail = errors.New("its stored detail is damaged")

// decodeDetail fills ev's fields from its detail. The strings share one
// copy of the blob.
func decodeDetail(blob []byte, ev *audit.Event) error {
	all := string(blob)
	next := func() (string, bool) {
		n, k := binary.Uvarint([]byte(all[:min(len(all), binary.MaxVarintLen64)]))
		if k <= 0 || n > uint64(len(all)-k) {
			return "", false
		}
		s := all[k : k+int(n)]
		all = all[k+int(n):]
		return s, true
	}
	for _, f := range detailStrings(ev) {
		s, ok := next()
		if !ok {
			return errDetail
		}
		*f = s
	}
	targets, ok1 := next()
	changes, ok2 := next()
	if !ok1 || !ok2 || all != "" {
		return errDetail
	}
	return decodeLists(targets, changes, ev)
}

// decodeLists reads the targets and changes JSON of a detail ("" when
// none) or of an older row's columns ("[]").
func decodeLists(targets, changes string, ev *audit.Event) error {
	ev.Targets = []audit.Target{}
	if targets != "" && targets != "[]" {
		if err := gojson.Unmarshal([]byte(targets), &ev.Targets); err != nil {
			return err
		}
	}
	ev.Changes = []audit.Change{}
	if changes == "" || changes == "[]" {
		return nil
	}
	// numbers stay exact (json.Number), as the importer made them
	dec := gojson.NewDecoder(strings.NewReader(changes))
	dec.UseNumber()
	return dec.Decode(&ev.Changes)
}
