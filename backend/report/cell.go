package report

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxCellChars is the most characters (UTF-16 units) Excel keeps in a cell.
const MaxCellChars = 32767

// Text makes s fit for a worksheet cell. Audit records are hostile input:
// characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, U+FFFE,
// U+FFFF, invalid UTF-8) would make the workbook unreadable, so they become
// U+FFFD; a value longer than Excel's cell limit is cut with "…" rather than
// refused. Formula-looking text needs nothing here: the streamed cells are
// inline strings, which Excel never evaluates.
func Text(s string) string {
	if len(s) <= MaxCellChars && clean(s) { // the common case: no copy
		return s
	}
	cut := len(s) > MaxCellChars && utf16Len(s) > MaxCellChars
	var b strings.Builder
	b.Grow(min(len(s), 4*MaxCellChars))
	units := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if !xmlChar(r) || (r == utf8.RuneError && size == 1) {
			r = utf8.RuneError
		}
		u := 1
		if r > 0xFFFF {
			u = 2 // a surrogate pair in Excel's count
		}
		if cut && units+u > MaxCellChars-1 {
			b.WriteString("…")
			break
		}
		units += u
		b.WriteRune(r)
	}
	return b.String()
}

// utf16Len is the length of s in UTF-16 units, as Excel counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// clean reports whether s is valid UTF-8 with only characters XML allows.
func clean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += size
	}
	return true
}

func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r == 0xFFFE || r == 0xFFFF:
		return false
	}
	return true
}

// CSVText neutralises a value for CSV: a cell beginning with =, +, -, @, tab
// or CR is what spreadsheet programs read as a formula, so it gets a leading
// single quote (the OWASP advice against CSV injection). So does one that
// begins with a quote, so that one quote is always the one added: '=x and
// =x were written alike.
func CSVText(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r'", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Value renders a change's before or after value: scalars as plain text,
// objects and arrays as compact JSON, absent as "". Text that is empty, or
// reads as a number, true, false or null, is quoted as JSON: a change of
// 0 to "0", or of "" to absent, showed two cells alike.
func Value(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if x == "" || x == "true" || x == "false" || x == "null" || jsonNumber.MatchString(x) {
			b, _ := json.Marshal(x)
			return string(b)
		}
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
