package auditd

// Tests over small inputs written inline.

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func readString(t *testing.T, s string) (events, bad []result) {
	t.Helper()
	return readAll(t, []byte(s))
}

func TestReadCRLFAndNoFinalNewline(t *testing.T) {
	in := "type=SYSCALL msg=audit(1.000:7): syscall=59 exe=\"/bin/ls\"\r\n" +
		"type=PATH msg=audit(1.000:7): item=0 name=\"/bin/ls\"\r\n" +
		"type=USER_LOGIN msg=audit(2.000:8): pid=1 msg='op=login acct=\"bob\" res=failed'"
	events, bad := readString(t, in)
	if len(events) != 2 || len(bad) != 0 {
		t.Fatalf("events %d errors %d", len(events), len(bad))
	}
	want := "type=SYSCALL msg=audit(1.000:7): syscall=59 exe=\"/bin/ls\"\ntype=PATH msg=audit(1.000:7): item=0 name=\"/bin/ls\""
	if events[0].raw != want || events[0].line != 1 {
		t.Errorf("raw %q line %d", events[0].raw, events[0].line)
	}
	wantFields(t, events[0], map[string]string{"type": "SYSCALL", "exe": "/bin/ls", "name": "/bin/ls", "item": "0"})
	wantFields(t, events[1], map[string]string{"type": "USER_LOGIN", "acct": "bob", "res": "failed", "op": "login"})
	if events[1].line != 3 || strings.HasSuffix(events[1].raw, "\n") {
		t.Errorf("last event line %d raw %q", events[1].line, events[1].raw)
	}
}

func TestReadInterleavedAndMalformed(t *testing.T) {
	in := "type=SYSCALL msg=audit(5.5:1): pid=10 auid=-1\n" +
		"type=SYSCALL msg=audit(5.5:2): pid=20 auid=1000\n" +
		"type=UNKNOWN[1329] msg=?\n" +
		"\n" + // blank lines are skipped silently
		"type=CWD msg=audit(5.5:1): cwd=\"/a\"\n" +
		"garbage\n" +
		"type=CWD msg=audit(5.5:2): cwd=\"/b\"\n" +
		"type=PATH msg=audit(5.5:1): name=\"/a/x\"\n"
	var got []string
	err := Read(strings.NewReader(in), func(raw []byte, line int, f map[string]any, err error) error {
		if err != nil {
			got = append(got, fmt.Sprintf("%d err %q", line, raw))
		} else {
			got = append(got, fmt.Sprintf("%d %v %v %v", line, f["serial"], f["types"], f["cwd"]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 1 [SYSCALL CWD PATH] /a",
		"2 2 [SYSCALL CWD] /b",
		`3 err "type=UNKNOWN[1329] msg=?"`,
		`6 err "garbage"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	events, _ := readString(t, in)
	wantFields(t, events[0], map[string]string{"auid_unset": "true", "name": "/a/x"})
	if _, ok := events[1].fields["auid_unset"]; ok {
		t.Error("auid_unset set for auid=1000")
	}
}

func TestReadEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "\r\n\n  \n"} {
		if events, bad := readString(t, in); len(events)+len(bad) != 0 {
			t.Errorf("%q: %d events %d errors", in, len(events), len(bad))
		}
	}
}

func TestReadEOEAndWindow(t *testing.T) {
	// EOE closes an event: a later record with the same stamp starts another.
	in := "type=SYSCALL msg=audit(1.0:1): a=1\ntype=EOE msg=audit(1.0:1): \ntype=PATH msg=audit(1.0:1): b=2\n"
	events, _ := readString(t, in)
	if len(events) != 2 || !reflect.DeepEqual(typesOf(events[0]), []string{"SYSCALL", "EOE"}) {
		t.Fatalf("EOE: %d events", len(events))
	}
	// Only 64 events stay open: serial 1 is flushed before it comes back.
	var b strings.Builder
	for i := 1; i <= window+2; i++ {
		fmt.Fprintf(&b, "type=SYSCALL msg=audit(1.0:%d): a=%d\n", i, i)
	}
	b.WriteString("type=PATH msg=audit(1.0:1): name=\"/late\"\n")
	events, _ = readString(t, b.String())
	if len(events) != window+3 || events[len(events)-1].line != window+3 {
		t.Errorf("window: %d events", len(events))
	}
}

func TestReadLimits(t *testing.T) {
	long := "type=EXECVE msg=audit(1.0:1): a0=\"" + strings.Repeat("x", maxLine) + "\""
	events, bad := readString(t, long+"\ntype=CWD msg=audit(1.0:2): cwd=\"/\"\n")
	if len(bad) != 1 || !errors.Is(bad[0].err, errLineTooLong) || len(bad[0].raw) > maxLine+2 {
		t.Errorf("long line: %d errors", len(bad))
	}
	if len(events) != 1 || events[0].line != 2 {
		t.Errorf("line after long line: %v", events)
	}
}

func TestReadEmitErrorStops(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Read(strings.NewReader("type=A msg=audit(1.0:1): x=1\nbad\ntype=B msg=audit(1.0:2): y=2\n"),
		func([]byte, int, map[string]any, error) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("err %v after %d calls", err, calls)
	}
}

func TestParseLine(t *testing.T) {
	m, err := ParseLine("type=PROCTITLE msg=audit(1.0:9): proctitle=2F62696E2F7368002D6300747275650000\r\n")
	if err != nil || m["proctitle"] != "/bin/sh -c true" || m["type"] != "PROCTITLE" || m["serial"] != "9" {
		t.Errorf("proctitle: %v %v", m, err)
	}
	// invalid UTF-8 after decoding: each bad byte becomes U+FFFD; controls stay.
	m, _ = ParseLine("type=CWD msg=audit(1.0:9): cwd=2FFF01 name=\"ABCD\" comm=abcd saddr=0200 key=2F")
	if m["cwd"] != "/\uFFFD\x01" || !utf8.ValidString(m["cwd"].(string)) {
		t.Errorf("cwd = %q", m["cwd"])
	}
	wantFields(t, result{fields: m}, map[string]string{"name": "ABCD", "comm": "abcd", "saddr": "0200", "key": "/"})
	// node= prefix, ENRICHED fields and the syslog form without msg=.
	m, err = ParseLine("node=web1 type=SYSCALL audit(1.0:9): uid=0 key=(null)\x1dUID=\"root\" SADDR={ fam=inet port=22 }")
	if err != nil {
		t.Fatal(err)
	}
	wantFields(t, result{fields: m}, map[string]string{"node": "web1", "uid": "0", "key": "(null)",
		"UID": "root", "SADDR": "{ fam=inet port=22 }"})
	recs := m["records"].([]any)
	if len(recs) != 1 || recs[0].(map[string]any)["UID"] != "root" {
		t.Errorf("records = %v", recs)
	}
	for _, bad := range []string{"", "hello", "type=UNKNOWN[1329] msg=?", "type=X msg=audit(1.0): a=1",
		"type=X msg=audit(abc:1): a=1", "type=X msg=audit(1.0:1 a=1", "node=x"} {
		if m, err := ParseLine(bad); err == nil || m != nil {
			t.Errorf("ParseLine(%q) = %v, %v; want error", bad, m, err)
		}
	}
}

func TestSniff(t *testing.T) {
	cases := map[string]bool{
		"type=SYSCALL msg=audit(1.0:1): a=1\n":        true,
		"\n\r\n  type=LOGIN audit(1.0:1): a=1":        true,
		"node=h type=CWD msg=audit(1.0:1): cwd=\"/\"": true,
		"type=SYSCALL msg=?\n":                        false,
		"{\"type\":\"SYSCALL\"}\n":                    false,
		"":                                            false,
		"hello\ntype=SYSCALL msg=audit(1.0:1):":       false,
	}
	for in, want := range cases {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %v", in, got)
		}
	}
}
