package proxy

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rammerhead-go/rammerhead/store"
)

// keysCacheFor bounds how often /metrics lists a store's keys.
const keysCacheFor = 10 * time.Second

// metrics holds the server's Prometheus collectors.
type metrics struct {
	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	upstreamErrors prometheus.Counter
	handler        http.Handler
}

func newMetrics(reg prometheus.Registerer, current func() store.Store) (*metrics, error) {
	var gatherer prometheus.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		reg, gatherer = r, r
	} else if g, ok := reg.(prometheus.Gatherer); ok {
		gatherer = g
	} else {
		gatherer = prometheus.DefaultGatherer
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rammerhead_http_requests_total",
			Help: "HTTP requests served, by route kind and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rammerhead_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests (for proxied requests, until the body is relayed), by route kind.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		upstreamErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rammerhead_upstream_errors_total",
			Help: "Upstream requests that failed (connection, timeout, broken body).",
		}),
	}
	sc := &storeCollector{current: current}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.upstreamErrors, sc} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("proxy: registering metrics: %w", err)
		}
	}
	m.handler = promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return m, nil
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

var (
	descSessions = prometheus.NewDesc("rammerhead_sessions",
		"Sessions held by the store, by location (memory, disk); total when the store reports no details.",
		[]string{"location"}, nil)
	descLoads = prometheus.NewDesc("rammerhead_store_loads_total",
		"Sessions loaded from persistent storage.", nil, nil)
	descFlushes = prometheus.NewDesc("rammerhead_store_flushes_total",
		"Sessions written to persistent storage.", nil, nil)
	descCorrupted = prometheus.NewDesc("rammerhead_store_corrupted_total",
		"Stored sessions found unreadable.", nil, nil)
)

// storeCollector reports the current store's figures at scrape time.
type storeCollector struct {
	current func() store.Store

	mu       sync.Mutex
	keysAt   time.Time
	keysN    int
	keysFrom store.Store
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descSessions
	ch <- descLoads
	ch <- descFlushes
	ch <- descCorrupted
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.current()
	if st == nil {
		return
	}
	if s, ok := st.(store.StatsReporter); ok {
		v := s.Stats()
		ch <- prometheus.MustNewConstMetric(descSessions, prometheus.GaugeValue, float64(v.InMemory), "memory")
		if v.OnDisk >= 0 {
			ch <- prometheus.MustNewConstMetric(descSessions, prometheus.GaugeValue, float64(v.OnDisk), "disk")
		}
		ch <- prometheus.MustNewConstMetric(descLoads, prometheus.CounterValue, float64(v.Loads))
		ch <- prometheus.MustNewConstMetric(descFlushes, prometheus.CounterValue, float64(v.Flushes))
		ch <- prometheus.MustNewConstMetric(descCorrupted, prometheus.CounterValue, float64(v.Corrupted))
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keysFrom != st || time.Since(c.keysAt) > keysCacheFor {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		keys, err := st.Keys(ctx)
		cancel()
		if err != nil {
			return
		}
		c.keysN, c.keysAt, c.keysFrom = len(keys), time.Now(), st
	}
	ch <- prometheus.MustNewConstMetric(descSessions, prometheus.GaugeValue, float64(c.keysN), "total")
}
