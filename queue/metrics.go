package queue

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// Metrics are a worker's counters, served in the Prometheus text format.
type Metrics struct {
	start time.Time
	// Processed counts articles analysed and stored (and acknowledged).
	Processed atomic.Int64
	// Failed counts deliveries that did not end with a stored article:
	// poison messages, analysis errors and store failures (the latter are
	// redelivered, so an article may count here and later in Processed).
	Failed atomic.Int64
	// DeadLettered counts messages moved to the dead-letter stream.
	DeadLettered atomic.Int64
	// Redelivered counts messages received with a delivery count above 1.
	Redelivered atomic.Int64
	// Batches counts the batches stored.
	Batches atomic.Int64
	// StoreErrors counts failed store transactions (outages and refusals).
	StoreErrors atomic.Int64
	// Rejected counts articles the store refused (dead-lettered).
	Rejected atomic.Int64
	// InFlight is the number of messages fetched and not yet settled.
	InFlight atomic.Int64
	// Lag is the consumer's pending plus ack-pending messages, as last
	// read from the server (-1: not read yet).
	Lag atomic.Int64
	// NATSUp is whether the last heartbeat could read the consumer;
	// HeartbeatOK whether it could write the worker's heartbeat.
	NATSUp      atomic.Bool
	HeartbeatOK atomic.Bool
}

// NewMetrics returns zeroed counters.
func NewMetrics() *Metrics {
	m := &Metrics{start: time.Now()}
	m.Lag.Store(-1)
	return m
}

// Counters is a snapshot of Metrics, as published in heartbeats.
type Counters struct {
	Processed    int64 `json:"processed"`
	Failed       int64 `json:"failed"`
	DeadLettered int64 `json:"dead_lettered"`
	Redelivered  int64 `json:"redelivered"`
	InFlight     int64 `json:"in_flight"`
	Lag          int64 `json:"lag"`
	Rejected     int64 `json:"rejected"`
	StoreErrors  int64 `json:"store_errors"`
	// StoreDown is set while the worker's store does not answer (it
	// fetches nothing then).
	StoreDown bool `json:"store_down,omitempty"`
}

// Snapshot reads the counters.
func (m *Metrics) Snapshot() Counters {
	return Counters{
		Processed: m.Processed.Load(), Failed: m.Failed.Load(), DeadLettered: m.DeadLettered.Load(),
		Redelivered: m.Redelivered.Load(), InFlight: m.InFlight.Load(), Lag: m.Lag.Load(),
		Rejected: m.Rejected.Load(), StoreErrors: m.StoreErrors.Load(),
	}
}

// ServeHTTP writes the metrics in the Prometheus text exposition format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	metric := func(name, typ, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", name, help, name, typ, name, v)
	}
	metric("rhetor_worker_processed_total", "counter", "Articles analysed, stored and acknowledged.", m.Processed.Load())
	metric("rhetor_worker_failed_total", "counter", "Deliveries that did not end with a stored article (poison, analysis or store errors).", m.Failed.Load())
	metric("rhetor_worker_dead_lettered_total", "counter", "Messages moved to the dead-letter stream.", m.DeadLettered.Load())
	metric("rhetor_worker_redelivered_total", "counter", "Messages received with a delivery count above 1.", m.Redelivered.Load())
	metric("rhetor_worker_batches_total", "counter", "Batches stored.", m.Batches.Load())
	metric("rhetor_worker_in_flight", "gauge", "Messages fetched and not yet acknowledged, rejected or dead-lettered.", m.InFlight.Load())
	metric("rhetor_worker_lag", "gauge", "Messages of the consumer not yet delivered plus delivered and not acknowledged (-1 before the first reading).", m.Lag.Load())
	fmt.Fprintf(w, "# HELP rhetor_worker_start_time_seconds When the worker started, in Unix seconds.\n# TYPE rhetor_worker_start_time_seconds gauge\nrhetor_worker_start_time_seconds %d\n", m.start.Unix())
}
