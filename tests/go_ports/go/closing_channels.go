// Go by Example "Closing Channels": close tells the worker there are no
// more jobs. The worker does all the printing (Go by Example also prints
// "sent job" in main, whose interleaving with the worker is up to the
// scheduler).
package main

import "fmt"

func main() {
	jobs := make(chan int, 5)
	done := make(chan bool)

	go func() {
		for {
			j, more := <-jobs
			if more {
				fmt.Println("received job", j)
			} else {
				fmt.Println("received all jobs")
				done <- true
				return
			}
		}
	}()

	for j := 1; j <= 3; j++ {
		jobs <- j
	}
	close(jobs)
	<-done
	fmt.Println("sent all jobs")

	// A receive on a closed, drained channel yields the zero value at once.
	j, ok := <-jobs
	fmt.Println("received more jobs:", j, ok)
}
