// Package cputime reports a benchmark's CPU time per operation: on a shared
// or overloaded machine, wall-clock ns/op includes time spent waiting for a
// core, while CPU time (user+system of the whole process) does not.
package cputime

import (
	"testing"
	"time"
)

// PerOp starts measuring; call the function it returns after the loop to
// report the metric cpu-ns/op. Typical use: defer cputime.PerOp(b)().
func PerOp(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 && start > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// Process returns the CPU time (user+system) the process has used so far,
// or 0 where it is not measured; for benchmarks that time only part of
// each iteration.
func Process() time.Duration { return time.Duration(processCPU()) }
