package geo

import (
	"container/list"
	"strings"
	"sync"
)

// resultCache remembers recent answers, found or not, so that re-geocoding
// the same addresses (every import repeats most of them) costs no request.
// It forgets the least recently used entry once full.
type resultCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	key string
	res Result
}

func newResultCache(max int) *resultCache {
	return &resultCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *resultCache) get(key string) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return Result{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).res, true
}

func (c *resultCache) put(key string, res Result) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*cacheEntry).res = res
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&cacheEntry{key: key, res: res})
	if c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*cacheEntry).key)
	}
}

func (c *resultCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// cacheKey identifies a query regardless of case and spacing.
func cacheKey(q Query) string {
	return strings.ToLower(strings.Join(strings.Fields(q.Address), " ")) + "|" +
		strings.TrimSpace(q.PostalCode) + "|" + strings.ToUpper(strings.TrimSpace(q.CommuneCode))
}
