package store

// Stats are the counters a session store may report (for /metrics and the
// admin commands).
type Stats struct {
	// InMemory is the number of sessions held in memory.
	InMemory int64
	// OnDisk is the number of sessions held in persistent storage (files,
	// Redis); -1 when unknown.
	OnDisk int64
	// Loads counts sessions loaded from persistent storage.
	Loads uint64
	// Flushes counts sessions written to persistent storage.
	Flushes uint64
	// Corrupted counts stored sessions found unreadable.
	Corrupted uint64
}

// StatsReporter is an optional interface of stores that can report Stats
// cheaply. Callers find it with a type assertion.
type StatsReporter interface {
	Stats() Stats
}
