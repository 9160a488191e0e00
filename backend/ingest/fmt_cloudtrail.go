package ingest

import (
	"strings"

	"auditlens/backend/audit"
)

var cloudtrailActorTypes = map[string]string{
	"Root": audit.ActorUser, "IAMUser": audit.ActorUser, "AssumedRole": audit.ActorUser,
	"FederatedUser": audit.ActorUser, "IdentityCenterUser": audit.ActorUser, "AWSAccount": audit.ActorUser,
	"AWSService": audit.ActorService, "Directory": audit.ActorService, "Unknown": audit.ActorUser,
	"SAMLUser": audit.ActorUser, "WebIdentityUser": audit.ActorUser,
}

var cloudtrailCategories = []CategoryRule{
	{Match: `^(ConsoleLogin|GetSigninToken|SwitchRole|ExitRole|CheckMfa|AssumeRole|GetSessionToken|GetFederationToken|Authenticate)`, Category: audit.CategoryAccess},
	{Match: `AccessKey|LoginProfile|MFADevice|SSHPublicKey|ServiceSpecificCredential`, Category: audit.CategoryIntegration},
	{Match: `^(Create|Delete|Update|Attach|Detach|Put|Add|Remove)(User|Group|Role|Policy|UserPolicy|RolePolicy|GroupPolicy|UserToGroup|UserFromGroup|PolicyVersion)`, Category: audit.CategoryUser},
	{Match: `^(Get|List|Describe|Head|Lookup|Select|Search|Scan|Query|BatchGet|Download)|^(PutObject|CopyObject|DeleteObjects?|RestoreObject|UploadPart|UploadPartCopy|CreateMultipartUpload|CompleteMultipartUpload|AbortMultipartUpload)$`, Category: audit.CategoryData},
	{Match: `.`, Category: audit.CategoryConfiguration},
}

// CloudTrail as S3 delivers it ({"Records": [...]}), as arrays, and as
// Logstash re-emits it (NDJSON with @timestamp instead of eventTime).
var cloudtrail = register(&Format{
	Name:        "aws.cloudtrail",
	Description: "AWS CloudTrail events (S3 delivery Records, arrays, NDJSON re-emitted by Logstash)",
	Detect: func(f Fields) bool {
		return isString(f, "eventName") && isString(f, "eventSource") && hasAny(f, "eventTime", "@timestamp")
	},
	Mapping: Mapping{
		Time:       Paths{"eventTime", "@timestamp"},
		ActorID:    Paths{"userIdentity.arn", "userIdentity.principalId", "userIdentity.accountId"},
		ActorName:  Paths{"userIdentity.userName", "userIdentity.sessionContext.sessionIssuer.userName", "userIdentity.invokedBy", "userIdentity.principalId", "userIdentity.accountId"},
		ActorType:  Paths{"userIdentity.type"},
		ActorTypes: cloudtrailActorTypes,
		Action:     Paths{"eventName"},
		Targets: []TargetSpec{
			{Each: "resources", Type: Paths{"type"}, ID: Paths{"ARN", "arn"}, Name: Paths{"ARN", "arn"}},
			{Each: "requestParameters", TypeIs: "bucket", Name: Paths{"bucketName"}},
			{Each: "requestParameters", TypeIs: "user", Name: Paths{"userName"}},
			{Each: "requestParameters", TypeIs: "role", Name: Paths{"roleName"}},
			{Each: "requestParameters", TypeIs: "policy", Name: Paths{"policyArn", "policyName"}},
			{Each: "requestParameters", TypeIs: "trail", Name: Paths{"name", "trailName"}},
			{Each: "requestParameters.instancesSet.items", TypeIs: "instance", ID: Paths{"instanceId"}, Name: Paths{"instanceId"}},
		},
		IP:        Paths{"sourceIPAddress"},
		UserAgent: Paths{"userAgent"},
		Session:   Paths{"userIdentity.accessKeyId"},
		Request:   Paths{"requestID", "eventID"},
		Outcome: OutcomeSpec{
			FailureIfSet: Paths{"errorCode"},
			Paths:        Paths{"responseElements.ConsoleLogin"},
			Success:      []string{"Success"}, Failure: []string{"Failure"},
			Default: audit.OutcomeSuccess,
		},
		Categories: cloudtrailCategories,
	},
	Finish: cloudtrailFinish,
})

func cloudtrailFinish(f Fields, ev *audit.Event) {
	// An assumed role is named by its role and session: "Admin/bob".
	if arn := ev.Actor.ID; strings.Contains(arn, ":assumed-role/") {
		ev.Actor.Name = arn[strings.Index(arn, ":assumed-role/")+len(":assumed-role/"):]
	}
	if src := str(get(f, parsePath("eventSource"))); src != "" && ev.Message == "" {
		svc := strings.TrimSuffix(src, ".amazonaws.com")
		ev.Message = defaultMessage(ev) + " (" + svc + ")"
		if m := str(get(f, parsePath("errorMessage"))); m != "" {
			ev.Message += ": " + m
		} else if c := str(get(f, parsePath("errorCode"))); c != "" {
			ev.Message += ": " + c
		}
	}
}

// The CloudTrail LookupEvents API shape: PascalCase summary fields with the
// full event as a JSON string in CloudTrailEvent.
var cloudtrailLookup = register(&Format{
	Name:        "aws.cloudtrail.lookup",
	Description: "AWS CloudTrail LookupEvents API results (CloudTrailEvent held as a JSON string)",
	Detect: func(f Fields) bool {
		return isString(f, "EventName") && has(f, "EventTime") && has(f, "CloudTrailEvent")
	},
	Mapping: Mapping{
		Time:       Paths{"EventTime", "CloudTrailEvent.eventTime"},
		ActorID:    Paths{"CloudTrailEvent.userIdentity.arn", "AccessKeyId", "CloudTrailEvent.userIdentity.accountId"},
		ActorName:  Paths{"Username", "CloudTrailEvent.userIdentity.userName", "CloudTrailEvent.userIdentity.invokedBy"},
		ActorType:  Paths{"CloudTrailEvent.userIdentity.type"},
		ActorTypes: cloudtrailActorTypes,
		Action:     Paths{"EventName"},
		Targets: []TargetSpec{
			{Each: "Resources", Type: Paths{"ResourceType"}, Name: Paths{"ResourceName"}, ID: Paths{"ResourceName"}},
			{Each: "CloudTrailEvent.requestParameters.instancesSet.items", TypeIs: "instance", ID: Paths{"instanceId"}, Name: Paths{"instanceId"}},
			{Each: "CloudTrailEvent.requestParameters", TypeIs: "bucket", Name: Paths{"bucketName"}},
		},
		IP:         Paths{"CloudTrailEvent.sourceIPAddress"},
		UserAgent:  Paths{"CloudTrailEvent.userAgent"},
		Session:    Paths{"AccessKeyId"},
		Request:    Paths{"CloudTrailEvent.requestID", "EventId"},
		Outcome:    OutcomeSpec{FailureIfSet: Paths{"CloudTrailEvent.errorCode"}, Default: audit.OutcomeSuccess},
		Categories: cloudtrailCategories,
	},
	Finish: func(f Fields, ev *audit.Event) {
		if ev.Actor.Type == audit.ActorUser && str(get(f, parsePath("CloudTrailEvent.userIdentity.invokedBy"))) != "" && ev.Actor.Name == str(get(f, parsePath("CloudTrailEvent.userIdentity.invokedBy"))) {
			ev.Actor.Type = audit.ActorService
		}
	},
})

// CloudTrail S3 data events flattened to CSV (the HoneyBucket export): header
// names with spaces and Python-repr dicts in the User ID and Request
// Parameters cells.
var cloudtrailCSV = register(&Format{
	Name:        "aws.cloudtrail.csv",
	Description: "AWS CloudTrail events flattened to CSV (Event Name, Event DateTime, User ID, Source IP columns)",
	Detect: func(f Fields) bool {
		return has(f, "Event Name") && hasAny(f, "Event DateTime", "Event Time") && has(f, "Source IP")
	},
	Mapping: Mapping{
		Time:       Paths{"Event DateTime", "Event Time"},
		ActorID:    Paths{"User ID.arn", "User ID.principalId", "User ID.accountId"},
		ActorName:  Paths{"User ID.userName", "User ID.accountId", "User ID.principalId"},
		ActorType:  Paths{"User ID.type"},
		ActorTypes: cloudtrailActorTypes,
		Action:     Paths{"Event Name"},
		Targets: []TargetSpec{
			{Each: "Request Parameters", TypeIs: "bucket", Name: Paths{"bucketName"}},
			{Each: "Request Parameters", TypeIs: "object", Name: Paths{"key"}},
		},
		IP:         Paths{"Source IP"},
		UserAgent:  Paths{"Request User Agent"},
		Request:    Paths{"Request ID", "Event ID"},
		Outcome:    OutcomeSpec{FailureIfSet: Paths{"Error Code"}, Default: audit.OutcomeSuccess},
		Categories: cloudtrailCategories,
	},
	Finish: func(f Fields, ev *audit.Event) {
		// An export without the Error Code column says nothing of how a
		// request went (the HoneyBucket's: 284 anonymous reads of a bait
		// bucket were "success").
		if _, ok := f["Error Code"]; !ok {
			ev.Outcome = audit.OutcomeUnknown
		}
	},
})
