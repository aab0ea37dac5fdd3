// A deadlock: main waits for a result that a worker never sends, because
// the worker itself waits for a job nobody sends. The runtime reports
// "all goroutines are asleep" and exits with status 2.
package main

import "fmt"

func worker(jobs <-chan int, results chan<- int) {
	j := <-jobs
	results <- j * 2
}

func main() {
	jobs := make(chan int)
	results := make(chan int)
	go worker(jobs, results)
	fmt.Println("waiting for a result")
	fmt.Println(<-results)
	fmt.Println("unreachable")
}
