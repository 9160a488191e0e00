package ingest

import (
	"strconv"
	"strings"
	"unicode"

	"auditlens/backend/audit"
	"auditlens/backend/ingest/auditd"
)

// auditdMapping reads the flat fields of one auditd event (see package
// auditd): raw audit.log and the records forwarders carry in syslog.
var auditdMapping = Mapping{
	Time:      Paths{"time", "TimeGenerated", "EventTime"},
	ActorID:   Paths{"auid"},
	ActorName: Paths{"AUID", "acct", "audit_user", "user", "UID"},
	Action:    Paths{"type"},
	Targets: []TargetSpec{
		{TypeIs: "account", Name: Paths{"acct"}},
		{TypeIs: "executable", Name: Paths{"exe"}},
		{TypeIs: "path", Name: Paths{"name"}},
		{TypeIs: "rule", Name: Paths{"key"}},
	},
	IP:      Paths{"addr", "hostname"},
	Session: Paths{"ses"},
	Request: Paths{"serial"},
	Outcome: OutcomeSpec{Paths: Paths{"res", "success", "result"},
		Success: []string{"success", "yes", "1"}, Failure: []string{"failed", "no", "0", "failure"}},
	Categories: []CategoryRule{
		// (before the keywords: SOCKADDR is no "add", USER_TTY no user management)
		{Match: `^(SOCKADDR|EXECVE|CWD|PROCTITLE|SYSCALL|TTY|USER_TTY|USER_CMD|BPRM_FCAPS)$`, Category: audit.CategoryOther},
		{Match: `^CRYPTO_`, Category: audit.CategoryAccess},
		{Match: `^(USER_LOGIN|USER_LOGOUT|USER_AUTH|USER_ACCT|USER_ERR|CRED_|USER_START|USER_END|LOGIN|ANOM_LOGIN|USER_ROLE_CHANGE|ANOM_AUTH)`, Category: audit.CategoryAccess},
		{Match: `^(ADD_USER|DEL_USER|ADD_GROUP|DEL_GROUP|USER_CHAUTHTOK|CHUSER_ID|CHGRP_ID|USER_MGMT|GRP_MGMT|ROLE_ASSIGN|ROLE_REMOVE|ACCT_LOCK|ACCT_UNLOCK|GRP_CHAUTHTOK)`, Category: audit.CategoryUser},
		{Match: `^(CONFIG_CHANGE|DAEMON_|SERVICE_|MAC_|SYSTEM_|KERNEL|USYS_CONFIG|NETFILTER_CFG|FEATURE_CHANGE|SOFTWARE_UPDATE)`, Category: audit.CategoryConfiguration},
		{Match: `^(PATH|OPEN|.*_READ)`, Category: audit.CategoryData},
	},
	Changes: []ChangeSpec{{Pairs: true}}, // (old-level N, new-level 3; old-auid beside auid)
}

var linuxAuditd = register(&Format{
	Name:        "linux.auditd",
	Description: "Linux audit.log (raw and log_format=ENRICHED); records of one event joined by serial",
	Detect: func(f Fields) bool {
		return has(f, "serial") && has(f, "types")
	},
	Mapping: auditdMapping,
	Finish:  auditdFinish,
})

// Microsoft Sentinel Syslog rows whose message is an auditd/AUOMS record.
var sentinelSyslogAuditd = register(&Format{
	Name:        "sentinel.syslog.auditd",
	Description: "Sentinel Syslog table rows carrying auditd / AUOMS records in SyslogMessage",
	Detect: func(f Fields) bool {
		m, _ := f["SyslogMessage"].(string)
		return strings.HasPrefix(m, "type=") && strings.Contains(m, "audit(")
	},
	Prepare: func(f Fields) Fields {
		p, err := auditd.ParseLine(f["SyslogMessage"].(string))
		if err != nil {
			return f
		}
		for _, k := range []string{"TimeGenerated", "EventTime", "Computer", "HostIP"} {
			if v, ok := f[k]; ok {
				if _, dup := p[k]; !dup {
					p[k] = v
				}
			}
		}
		return p
	},
	Mapping: auditdMapping,
	Finish:  auditdFinish,
})

// auditdFinish resolves who acted: the login uid (auid) names the person
// behind an action even after sudo; when it is unset, the account acted
// upon (acct, a login attempt's) is the best there is. Without either, a
// process running as root acted for the system (sshd refusing a
// connection, systemd starting a service): it is named by its command
// ("sshd as root") and typed the system's; named "root" and typed a user,
// sshd's refusals read as failed root logins. A process of another user (a
// service account's: tomcat) is that user. An event with none of them is
// the system's own.
func auditdFinish(f Fields, ev *audit.Event) {
	unset := func(v string) bool { return v == "" || v == "4294967295" || v == "-1" || v == "unset" || v == "?" }
	ev.Actor = auditdActor(f, unset)
	auditdMessage(f, ev, unset)
}

func auditdActor(f Fields, unset func(string) bool) audit.Actor {
	if auid := str(f["auid"]); !unset(auid) {
		return audit.Actor{ID: auid, Name: firstSet(unset, str(f["AUID"]), str(f["audit_user"])), Type: audit.ActorUser}
	}
	if acct := str(f["acct"]); !unset(acct) {
		return audit.Actor{Name: acct, Type: audit.ActorUser}
	}
	a := audit.Actor{Name: firstSet(unset, str(f["user"]), str(f["UID"]))}
	uid := str(f["uid"])
	if !unset(uid) {
		a.ID = "uid " + uid
		if uid == "0" && a.Name == "" {
			a.Name = "root" // uid 0 is root on every Linux system
		}
	}
	proc := firstSet(unset, str(f["comm"]), str(f["exe"]))
	switch {
	case proc != "" && (uid == "0" || a.Name == "root" || a.Name == ""):
		// a daemon (root's, or of no user named): the process acted
		if a.Name != "" {
			proc += " as " + a.Name
		}
		a.Name, a.Type = proc, audit.ActorSystem
	case a.Name != "":
		a.Type = audit.ActorUser // a service account's process (tomcat): its user
	case a.ID != "":
		a.Type = audit.ActorSystem
	default:
		a.Name, a.Type = "system", audit.ActorSystem
	}
	return a
}

// auditdMessage clears the values auditd writes for none and sums the
// event up on one line.
func auditdMessage(f Fields, ev *audit.Event, unset func(string) bool) {
	if unset(ev.IP) {
		ev.IP = ""
	}
	if unset(ev.Session) {
		ev.Session = ""
	}
	parts := []string{ev.Actor.Label(), ev.Action}
	for _, k := range []string{"op", "syscall", "SYSCALL", "exe", "cmd", "proctitle", "cmdline", "acct"} {
		if v := str(f[k]); v != "" && !unset(v) {
			parts = append(parts, k+"="+clip(v, 120))
		}
	}
	// What was run (EXECVE's arguments) and typed (TTY's keystrokes) is
	// the point of those records.
	if argv := execArgs(f); argv != "" && str(f["proctitle"]) == "" {
		if strings.ContainsFunc(argv, unicode.IsControl) { // (a message is one line)
			argv = strconv.QuoteToASCII(argv)
		}
		parts = append(parts, "argv="+clip(argv, 200))
	}
	if v := str(f["data"]); v != "" && strings.Contains(ev.Action, "TTY") {
		parts = append(parts, "data="+clip(strconv.QuoteToASCII(v), 200))
	}
	if ev.Outcome == audit.OutcomeFailure {
		parts = append(parts, "(failed)")
	}
	ev.Message = strings.Join(parts, " ")
}

// execArgs are the arguments of the event's EXECVE record (a0, a1, …), one
// space apart: its own, since a SYSCALL record's a0… (registers) come first
// in the joined fields.
func execArgs(f Fields) string {
	recs, _ := f["records"].([]any)
	for _, r := range recs {
		m, _ := r.(map[string]any)
		if str(m["type"]) != "EXECVE" {
			continue
		}
		// argc says how many; a long argument is written in pieces
		// (a1_len=…, a1[0]=…, a1[1]=…), each decoded on its own.
		argc, err := strconv.Atoi(str(m["argc"]))
		counted := err == nil && argc >= 0 && argc <= 1<<16
		if !counted {
			argc = 1 << 16 // (no argc: up to the first one missing)
		}
		var argv []string
		for i := 0; i < argc; i++ {
			a := "a" + strconv.Itoa(i)
			if v, ok := m[a]; ok {
				argv = append(argv, str(v))
				continue
			}
			var b strings.Builder
			for k := 0; ; k++ {
				piece, ok := m[a+"["+strconv.Itoa(k)+"]"]
				if !ok {
					break
				}
				b.WriteString(str(piece))
			}
			if b.Len() == 0 && m[a+"_len"] == nil {
				if !counted {
					break
				}
				b.WriteString("…") // said by argc, missing here
			}
			argv = append(argv, b.String())
		}
		return strings.Join(argv, " ")
	}
	return ""
}

func firstSet(unset func(string) bool, vs ...string) string {
	for _, v := range vs {
		if !unset(v) {
			return v
		}
	}
	return ""
}
