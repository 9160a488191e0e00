package ingest

import (
	"strings"

	"auditlens/backend/audit"
)

const genericName = "generic"

// generic reads JSON or CSV of no known format by the usual names of things.
// Its Prepare folds every key to lower case without separators, so that
// "Event Time", "event_time" and "eventTime" are all "eventtime".
var generic = register(&Format{
	Name:        genericName,
	Description: "any other JSON or CSV: time, actor, action, IP and user agent found by their usual names",
	Detect:      func(Fields) bool { return true },
	Prepare:     func(f Fields) Fields { return foldKeys(f, 0).(map[string]any) },
	Mapping: Mapping{
		Time: Paths{"timestamp", "@timestamp", "time", "eventtime", "createdat", "created", "date", "datetime",
			"published", "ts", "_time", "timegenerated", "creationtime", "datecreate", "occurredat", "loggedat",
			"eventtimestamp", "requestreceivedtimestamp", "logtime", "when", "id.time", "eventdatetime", "updatedat"},
		ActorID: Paths{"actor.id", "user.id", "userid", "actorid", "principalid", "authorid", "uid"},
		ActorName: Paths{"actor.name", "actor.displayname", "actor.login", "actor.username", "actor.alternateid",
			"actor.email", "actor", "user.name", "user.username", "user.login", "user.email", "user", "username",
			"userprincipalname", "principal", "principalemail", "caller", "initiatedby", "initiator", "authorname",
			"author", "login", "email", "account", "accountname", "subject", "identity", "owner"},
		ActorEmail: Paths{"actor.email", "user.email", "email", "useremail", "actoremail", "principalemail"},
		ActorType:  Paths{"actor.type", "user.type", "actortype", "usertype"},
		Action: Paths{"action", "eventname", "eventtype", "operation", "operationname.value", "operationname",
			"activity", "activitydisplayname", "methodname", "method", "event", "verb", "type", "category", "name"},
		Targets: []TargetSpec{
			{Each: "target", Type: Paths{"type"}, ID: Paths{"id"}, Name: Paths{"name", "displayname", "alternateid"}},
			{Each: "targets", Type: Paths{"type"}, ID: Paths{"id"}, Name: Paths{"name", "displayname", "alternateid"}},
			{Each: "resource", Type: Paths{"type"}, ID: Paths{"id"}, Name: Paths{"name"}},
			{Each: "object", Type: Paths{"type", "kind"}, ID: Paths{"id"}, Name: Paths{"name"}},
			{Each: "entity", Type: Paths{"type"}, ID: Paths{"id"}, Name: Paths{"name"}},
			{TypeIs: "resource", Name: Paths{"resourcename", "resourceid", "objectid", "targetname"}},
		},
		IP: Paths{"ip", "ipaddress", "sourceipaddress", "sourceip", "srcip", "clientip", "callerip",
			"remoteip", "remoteaddr", "remoteaddress", "client.ip", "client.ipaddress", "context.ipaddress",
			"requestmetadata.callerip", "sourceips", "ipaddr", "clientipaddress", "actorip", "addr"},
		UserAgent: Paths{"useragent", "ua", "httpuseragent", "client.useragent", "client.useragent.rawuseragent",
			"context.ua", "requestuseragent", "browser"},
		Session: Paths{"sessionid", "session", "session.id", "context.sessionid"},
		Request: Paths{"requestid", "correlationid", "transactionid", "traceid", "request.id", "eventid", "id"},
		Message: Paths{"message", "msg", "displaymessage", "description", "summary"},
		Outcome: OutcomeSpec{Paths: Paths{"outcome.result", "outcome", "result", "status", "resultstatus", "success", "res"},
			Success:      []string{"success", "succeeded", "ok", "allow", "allowed", "true", "yes", "passed"},
			Failure:      []string{"failure", "failed", "fail", "error", "denied", "deny", "false", "no", "forbidden", "unauthorized"},
			FailureIfSet: Paths{"errorcode", "error"}},
	},
	Finish: func(f Fields, ev *audit.Event) {
		if ev.Actor.Type == "" && !ev.Actor.Empty() {
			ev.Actor.Type = audit.ActorUser
		}
	},
})

// foldKeys lower-cases keys and drops separators, to depth 4.
func foldKeys(v any, depth int) any {
	m, ok := v.(map[string]any)
	if !ok || depth > 4 {
		if l, ok := v.([]any); ok && depth <= 4 {
			out := make([]any, len(l))
			for i, e := range l {
				out[i] = foldKeys(e, depth+1)
			}
			return out
		}
		return v
	}
	out := make(map[string]any, len(m))
	for k, x := range m {
		fk := foldKey(k)
		if _, dup := out[fk]; dup {
			continue
		}
		out[fk] = foldKeys(x, depth+1)
	}
	return out
}

func foldKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for _, r := range k {
		switch r {
		case ' ', '_', '-':
			continue
		}
		b.WriteString(strings.ToLower(string(r)))
	}
	return b.String()
}
