//go:build !unix

package cputime

// processCPU is not measured on this platform: no metric is reported.
func processCPU() int64 { return 0 }
