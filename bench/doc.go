// Package bench measures cauri against its baselines: go test benchmarks
// of the kit's handlers next to stripe-go's webhook.ConstructEvent and a
// bare net/http receiver in the same run (bench_test.go), and a load
// harness over loopback (cmd/cauri-bench). It is a module of its own so
// that the library never depends on stripe-go; BENCHMARKS.md at the
// repository root has the commands and the figures.
package bench
