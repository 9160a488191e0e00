package ingest

import (
	"strconv"
	"strings"
)

// parsePyLiteral reads a Python literal (repr of a dict or list of strings,
// numbers, True/False/None), as exports made with Python's str() contain:
// "{'type': 'AWSAccount', 'principalId': ”}". Anything else is not ok.
func parsePyLiteral(s string) (any, bool) {
	p := &pyParser{s: s}
	v, ok := p.value()
	if !ok {
		return nil, false
	}
	p.space()
	return v, p.i == len(p.s)
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) value() (any, bool) {
	p.space()
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.dict()
	case c == '[' || c == '(':
		return p.list()
	case c == '\'' || c == '"':
		return p.str()
	default:
		return p.atom()
	}
}

func (p *pyParser) dict() (any, bool) {
	p.i++
	m := map[string]any{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return m, true
		}
		k, ok := p.value()
		if !ok {
			return nil, false
		}
		ks, ok := k.(string)
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		m[ks] = v
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
		}
	}
}

func (p *pyParser) list() (any, bool) {
	closer := byte(']')
	if p.s[p.i] == '(' {
		closer = ')'
	}
	p.i++
	var out []any
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == closer {
			p.i++
			return out, true
		}
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
		}
	}
}

func (p *pyParser) str() (any, bool) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case q:
			return b.String(), true
		case '\\':
			if p.i >= len(p.s) {
				return nil, false
			}
			e := p.s[p.i]
			p.i++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil, false
}

func (p *pyParser) atom() (any, bool) {
	j := p.i
	for j < len(p.s) && strings.IndexByte(",:}]) \t\r\n", p.s[j]) < 0 {
		j++
	}
	w := p.s[p.i:j]
	p.i = j
	switch w {
	case "True":
		return true, true
	case "False":
		return false, true
	case "None":
		return nil, true
	}
	if _, err := strconv.ParseFloat(w, 64); err == nil {
		return w, true
	}
	return nil, false
}
