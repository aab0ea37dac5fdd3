// Go by Example "Worker Pools": three workers share a jobs channel. Which
// worker takes which job varies, so main collects the results and prints
// them in job order.
package main

import (
	"fmt"
	"sort"
	"time"
)

type result struct {
	job   int
	value int
}

func worker(id int, jobs <-chan int, results chan<- result) {
	for j := range jobs {
		time.Sleep(10 * time.Millisecond) // simulate an expensive task
		results <- result{j, j * 2}
	}
}

func main() {
	const numJobs = 9
	jobs := make(chan int, numJobs)
	results := make(chan result, numJobs)

	for w := 1; w <= 3; w++ {
		go worker(w, jobs, results)
	}

	for j := 1; j <= numJobs; j++ {
		jobs <- j
	}
	close(jobs)

	out := make([]result, 0, numJobs)
	for a := 1; a <= numJobs; a++ {
		out = append(out, <-results)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].job < out[k].job })
	for _, r := range out {
		fmt.Println("job", r.job, "result", r.value)
	}
}
