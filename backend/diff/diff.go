// Package diff compares two JSON values field by field and lists what
// changed: added, removed and changed leaves with their paths.
package diff

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"auditlens/backend/audit"
)

// Values returns the changes that turn before into after, with paths under
// prefix ("rules[0].timeout"). nil means absent. Objects are compared key by
// key, arrays index by index; any other value that differs is one change.
func Values(prefix string, before, after any) []audit.Change {
	var out []audit.Change
	walk(prefix, before, after, &out)
	return out
}

func walk(p string, a, b any, out *[]audit.Change) {
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	// A created or deleted object lists each of its fields as added or removed.
	if aIsMap && b == nil && len(am) > 0 {
		bm, bIsMap = map[string]any{}, true
	}
	if bIsMap && a == nil && len(bm) > 0 {
		am, aIsMap = map[string]any{}, true
	}
	if aIsMap && bIsMap {
		for _, k := range unionKeys(am, bm) {
			walk(join(p, k), am[k], bm[k], out)
		}
		return
	}
	al, aIsList := a.([]any)
	bl, bIsList := b.([]any)
	if aIsList && bIsList {
		n := max(len(al), len(bl))
		for i := 0; i < n; i++ {
			var x, y any
			if i < len(al) {
				x = al[i]
			}
			if i < len(bl) {
				y = bl[i]
			}
			walk(p+"["+strconv.Itoa(i)+"]", x, y, out)
		}
		return
	}
	if Equal(a, b) {
		return
	}
	*out = append(*out, audit.Change{Path: p, Before: a, After: b})
}

func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func join(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

// Equal compares two JSON values; numbers compare by their exact value
// (numberKey), so that json.Number("1") equals float64(1).
func Equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case nil:
		return b == nil
	}
	if _, ok := b.(map[string]any); ok {
		return false
	}
	if _, ok := b.([]any); ok {
		return false
	}
	if b == nil {
		return false
	}
	return scalar(a) == scalar(b)
}

func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return "s:" + t
	case bool:
		return "b:" + strconv.FormatBool(t)
	case float64:
		return numberKey(strconv.FormatFloat(t, 'g', -1, 64))
	case fmt.Stringer: // json.Number
		return numberKey(t.String())
	}
	return fmt.Sprintf("?:%v", v)
}

// numberKey is a number's exact value, so that 1, 1.0 and 1e0 are one and
// 12345678901234567890 and 12345678901234567891 are two (as float64 they
// were one, and a change of a large id went unseen). An exponent past
// ±400 (no audit value has one; a hostile record could ask big.Rat for
// 10^999999999) compares by its text.
func numberKey(s string) string {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+")); err != nil || e > 400 || e < -400 {
			return "t:" + s
		}
	}
	if r, ok := new(big.Rat).SetString(s); ok {
		return "n:" + r.RatString()
	}
	return "t:" + s
}
