package client

import (
	"net/http"
	"time"
)

// Client wraps http.Client with a simple retry loop.
type Client struct {
	HTTP    *http.Client
	Retries int
}

// Get fetches url, retrying on network errors.
func (c *Client) Get(url string) (*http.Response, error) {
	var lastErr error
	for i := 0; i <= c.Retries; i++ {
		resp, err := c.HTTP.Get(url)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		time.Sleep(time.Second)
	}
	return nil, lastErr
}
