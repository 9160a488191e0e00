package auditd

// Fuzz tests: parsing arbitrary input must not panic and must keep the
// documented invariants.

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	`type=CRED_ACQ msg=audit(1481077043.057:413): pid=1298 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:setcred acct="andrew_kroh" exe="/usr/sbin/sshd" addr=96.241.146.97 res=success'`,
	`type=USER_CMD msg=audit(1481077231.363:475): pid=1382 msg='cwd="/home/a" cmd=2E2F6D657472696362656174 terminal=pts/0 res=success'`,
	"type=LOGIN msg=audit(1783414613.166:447): pid=2124 old-auid=4294967295 auid=0 res=1\x1dUID=\"root\" OLD-AUID=\"unset\" AUID=\"root\"",
	`type=PROCTITLE msg=audit(1783414661.350:487): proctitle=2F62696E2F7368002D63`,
	`type=AUOMS_EXECVE audit(1652292621.990:84143): path_name=["/bin/bash"] cmdline="bash -c "{echo,x}|{bash,-i}"" proctitle=/usr/bin/dpkg -S /bin/bash redactors= containerid=`,
	`type=DAEMON_START msg=audit(1481076983.819:7798): auditd start, ver=2.4.1 format=raw`,
	`type=UNKNOWN[1329] msg=?`,
	`node=h type=SOCKADDR msg=audit(1.0:1): saddr=0200 msg='unterminated "x`,
	"type=TTY msg=audit(1.1:2): tty data=FF00 a0[1]=41 SADDR={ x=1",
}

func checkFields(t *testing.T, m map[string]any) {
	for _, k := range []string{"type", "time", "serial"} {
		if _, ok := m[k].(string); !ok {
			t.Fatalf("%s missing in %v", k, m)
		}
	}
	for k, v := range m {
		if s, ok := v.(string); ok && (!utf8.ValidString(s) || !utf8.ValidString(k)) {
			t.Fatalf("invalid UTF-8 in %q = %q", k, s)
		}
	}
	if len(m["types"].([]any)) != len(m["records"].([]any)) {
		t.Fatalf("types/records mismatch: %v", m)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		m, err := ParseLine(line)
		if (m == nil) == (err == nil) {
			t.Fatalf("ParseLine(%q) = %v, %v", line, m, err)
		}
		if err == nil {
			checkFields(t, m)
		}
	})
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(strings.Join(fuzzSeeds, "\n")))
	f.Add([]byte(strings.Join(fuzzSeeds, "\r\n") + "\r\n"))
	f.Add([]byte("type=A msg=audit(1.0:1): a=1\ntype=B msg=audit(1.0:2): b=2\ntype=C msg=audit(1.0:1): c=3\ntype=EOE msg=audit(1.0:1): "))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		prev, records := 0, 0
		err := Read(bytes.NewReader(data), func(raw []byte, line int, m map[string]any, err error) error {
			if (m == nil) == (err == nil) || line <= prev || len(raw) == 0 || bytes.HasSuffix(raw, []byte("\n")) {
				t.Fatalf("bad emit: line %d (prev %d) raw %q fields %v err %v", line, prev, raw, m, err)
			}
			prev = line
			if m != nil {
				checkFields(t, m)
				records += len(m["records"].([]any))
				if bytes.Count(raw, []byte("\n"))+1 != len(m["records"].([]any)) {
					t.Fatalf("raw %q has not one line per record", raw)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if records > bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("%d records from %d lines", records, bytes.Count(data, []byte("\n"))+1)
		}
	})
}
