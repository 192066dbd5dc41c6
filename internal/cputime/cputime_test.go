package cputime

import "testing"

func TestProcessCPUMoves(t *testing.T) {
	start := processCPU()
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	if x == 0 || processCPU() <= start {
		t.Fatalf("process CPU time did not move: %d -> %d", start, processCPU())
	}
}
