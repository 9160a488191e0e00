package ingest

// Fields is one decoded record: a JSON object, a CSV row keyed by its header,
// or the key=value pairs of an auditd event.
type Fields = map[string]any

// Record is one record read from a source, before mapping.
type Record struct {
	Raw    []byte // the original bytes, kept byte-for-byte
	Line   int    // 1-based line of the source where the record starts
	Fields Fields // decoded; nil when Err is set
	Salt   []byte // extra context for the dedupe hash (a CSV header)
	Err    error  // why the record could not be decoded; it is rejected
}

// emitFunc receives records in source order. Returning an error stops the reader.
type emitFunc func(Record) error
