package server

import (
	"context"
	"net/http"
	rtmetrics "runtime/metrics"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// latencyBuckets are the upper bounds, in seconds, of the latency histograms.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// metrics are the server's metrics, in a registry of the server's own
// (never Prometheus's global one), served by /metrics.
type metrics struct {
	reg    *prometheus.Registry
	routes map[string]*routeMetrics
	// analyses counts completed analyses; storeWrites articles written or
	// deleted; internalErrors the requests that failed with a 500.
	analyses, storeWrites, internalErrors counter
	// storeUp is 1 when the store answered the last readiness check
	// (/readyz, or a scrape), 0 when it did not.
	storeUp prometheus.Gauge
}

// routeMetrics are one route's series, looked up once.
type routeMetrics struct {
	inFlight prometheus.Gauge
	duration prometheus.Observer
	route    string
	requests *prometheus.CounterVec
	errors   *prometheus.CounterVec
}

// newMetrics registers the server's metrics for the routes names; ping
// tells whether the store answers (for rhetor_store_up at scrape time).
func newMetrics(names []string, ping func(context.Context) error) *metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rhetor_http_requests_total",
		Help: "HTTP requests answered, by route and status code."}, []string{"route", "code"})
	errs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rhetor_http_request_errors_total",
		Help: "HTTP requests answered with a 4xx or 5xx status, by route and class."}, []string{"route", "class"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rhetor_http_request_duration_seconds",
		Help: "Time from receiving a request's headers to the end of its handler, by route.", Buckets: latencyBuckets}, []string{"route"})
	inFlight := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rhetor_http_requests_in_flight",
		Help: "Requests being handled now, by route."}, []string{"route"})
	m := &metrics{reg: reg, routes: map[string]*routeMetrics{},
		analyses:       counter{prometheus.NewCounter(prometheus.CounterOpts{Name: "rhetor_analyses_total", Help: "Articles analysed."})},
		storeWrites:    counter{prometheus.NewCounter(prometheus.CounterOpts{Name: "rhetor_store_writes_total", Help: "Articles written to or deleted from the store."})},
		internalErrors: counter{prometheus.NewCounter(prometheus.CounterOpts{Name: "rhetor_internal_errors_total", Help: "Requests that failed with an internal error (logged)."})},
		storeUp:        prometheus.NewGauge(prometheus.GaugeOpts{Name: "rhetor_store_up", Help: "1 when the store answered the last check (a ping at each scrape and /readyz), else 0."}),
	}
	for _, n := range names {
		m.routes[n] = &routeMetrics{inFlight: inFlight.WithLabelValues(n), duration: duration.WithLabelValues(n),
			route: n, requests: requests, errors: errs}
		inFlight.WithLabelValues(n).Set(0)
		duration.WithLabelValues(n)
	}
	f(requests)
	f(errs)
	f(duration)
	f(inFlight)
	f(m.analyses.c)
	f(m.storeWrites.c)
	f(m.internalErrors.c)
	f(&pingCollector{gauge: m.storeUp, ping: ping})
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "go_gc_cycles_total", Help: "Completed GC cycles."}, gcCycles))
	return m
}

// counter is a Prometheus counter counted in whole numbers.
type counter struct{ c prometheus.Counter }

// Add adds n to the counter.
func (c counter) Add(n uint64) { c.c.Add(float64(n)) }

// observe records a finished request.
func (rm *routeMetrics) observe(code int, d time.Duration) {
	c := strconv.Itoa(code)
	rm.requests.WithLabelValues(rm.route, c).Inc()
	switch {
	case code >= 500:
		rm.errors.WithLabelValues(rm.route, "5xx").Inc()
	case code >= 400:
		rm.errors.WithLabelValues(rm.route, "4xx").Inc()
	}
	rm.duration.Observe(d.Seconds())
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	s.metricsHandler.ServeHTTP(w, r)
}

// gcCycles reads the completed GC cycles from the runtime.
func gcCycles() float64 {
	s := []rtmetrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	rtmetrics.Read(s)
	if s[0].Value.Kind() != rtmetrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64())
}

// pingCollector sets a gauge from a ping of the store at each scrape (at
// most a second), so that the gauge says whether the store answers now.
type pingCollector struct {
	gauge prometheus.Gauge
	ping  func(context.Context) error
}

func (c *pingCollector) Describe(ch chan<- *prometheus.Desc) { c.gauge.Describe(ch) }

func (c *pingCollector) Collect(ch chan<- prometheus.Metric) {
	if c.ping != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		up := 0.0
		if c.ping(ctx) == nil {
			up = 1
		}
		cancel()
		c.gauge.Set(up)
	}
	c.gauge.Collect(ch)
}

// newMetricsHandler serves reg in the Prometheus text format 0.0.4, as
// before (OpenMetrics is not offered), uncompressed, and counts its own
// errors in reg (promhttp_metric_handler_errors_total).
func newMetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, DisableCompression: true})
}
