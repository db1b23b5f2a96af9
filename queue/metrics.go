package queue

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are a worker's counters, served in the Prometheus text format
// from a registry of the worker's own.
type Metrics struct {
	start time.Time
	// Processed counts articles analysed and stored (and acknowledged).
	Processed atomic.Int64
	// Failed counts deliveries that did not end with a stored article:
	// poison messages, analysis errors, articles the store refused, and
	// messages given back by a worker stopped while the store was down.
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

	// StoreSeconds observes store transactions (PutMany), failed ones too;
	// AnalysisSeconds the analysis of each article.
	StoreSeconds    prometheus.Histogram
	AnalysisSeconds prometheus.Histogram
	// Errors counts errors by kind (see the errKind constants).
	Errors *prometheus.CounterVec

	reg *prometheus.Registry
	// storeUp reports whether the worker's store breaker is closed (set
	// by NewWorker; nil: unknown).
	storeUp atomic.Pointer[func() bool]
}

// Kinds of errors counted by Metrics.Errors.
const (
	errPoison      = "poison"        // a message that cannot be read
	errAnalysis    = "analysis"      // the analysis failed (an unknown lang...)
	errStoreDown   = "store_down"    // a store transaction failed while the store did not answer
	errStoreRefuse = "store_refused" // a store transaction failed while the store answered
	errDeadLetter  = "dead_letter"   // publishing a dead letter failed
	errFetch       = "fetch"         // a fetch from NATS failed
	errHeartbeat   = "heartbeat"     // a heartbeat could not be written
)

// storeBuckets and analysisBuckets are the histograms' upper bounds, in
// seconds: a transaction of a group takes 0.02-0.3 s, an analysis a few
// milliseconds per 1,000 words.
var (
	storeBuckets    = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120}
	analysisBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5}
)

// NewMetrics returns zeroed counters and their registry.
func NewMetrics() *Metrics {
	m := &Metrics{start: time.Now(), reg: prometheus.NewRegistry()}
	m.Lag.Store(-1)
	m.StoreSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rhetor_worker_store_seconds",
		Help: "Store transactions (one group of articles each), failed ones included.", Buckets: storeBuckets})
	m.AnalysisSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rhetor_worker_analysis_seconds",
		Help: "Analysis of one article.", Buckets: analysisBuckets})
	m.Errors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rhetor_worker_errors_total",
		Help: "Errors by kind: poison, analysis, store_down, store_refused, dead_letter, fetch, heartbeat."}, []string{"kind"})
	for _, k := range []string{errPoison, errAnalysis, errStoreDown, errStoreRefuse, errDeadLetter, errFetch, errHeartbeat} {
		m.Errors.WithLabelValues(k)
	}
	counter := func(name, help string, v *atomic.Int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v.Load()) })
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	bit := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	m.reg.MustRegister(
		counter("rhetor_worker_processed_total", "Articles analysed, stored and acknowledged.", &m.Processed),
		counter("rhetor_worker_failed_total", "Deliveries that did not end with a stored article (poison, analysis errors, refused records, messages given back while the store was down).", &m.Failed),
		counter("rhetor_worker_dead_lettered_total", "Messages moved to the dead-letter stream.", &m.DeadLettered),
		counter("rhetor_worker_redelivered_total", "Messages received with a delivery count above 1.", &m.Redelivered),
		counter("rhetor_worker_batches_total", "Batches stored.", &m.Batches),
		counter("rhetor_worker_store_errors_total", "Failed store transactions (outages and refusals).", &m.StoreErrors),
		counter("rhetor_worker_rejected_total", "Articles the store refused while it answered (dead-lettered).", &m.Rejected),
		gauge("rhetor_worker_in_flight", "Messages fetched and not yet acknowledged, rejected or dead-lettered.", func() float64 { return float64(m.InFlight.Load()) }),
		gauge("rhetor_worker_lag", "Messages of the consumer not yet delivered plus delivered and not acknowledged (-1 before the first reading).", func() float64 { return float64(m.Lag.Load()) }),
		gauge("rhetor_worker_start_time_seconds", "When the worker started, in Unix seconds.", func() float64 { return float64(m.start.Unix()) }),
		gauge("rhetor_worker_store_up", "1 while the store answers (the worker's breaker is closed), 0 while it does not (the worker fetches nothing).", func() float64 {
			if f := m.storeUp.Load(); f != nil {
				return bit((*f)())
			}
			return 1
		}),
		gauge("rhetor_worker_nats_up", "1 when the last heartbeat (every 5 s) could read the consumer from NATS, else 0.", func() float64 { return bit(m.NATSUp.Load()) }),
		gauge("rhetor_worker_heartbeat_ok", "1 when the last heartbeat was written to the workers bucket, else 0 (rhetor status does not list the worker).", func() float64 { return bit(m.HeartbeatOK.Load()) }),
		m.StoreSeconds, m.AnalysisSeconds, m.Errors,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registry returns the registry of the worker's metrics.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

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
	promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{DisableCompression: true}).ServeHTTP(w, r)
}
