// Fan-in with goroutines (Rob Pike, "Go Concurrency Patterns"): two
// generators merged into one channel by two forwarding goroutines. The
// arrival order is up to the scheduler, so main sorts what it received.
package main

import (
	"fmt"
	"sort"
)

func boring(msg string, n int) <-chan string {
	c := make(chan string)
	go func() {
		for i := 0; i < n; i++ {
			c <- fmt.Sprintf("%s %d", msg, i)
		}
		close(c)
	}()
	return c
}

func fanIn(input1, input2 <-chan string) <-chan string {
	c := make(chan string)
	go func() {
		for s := range input1 {
			c <- s
		}
	}()
	go func() {
		for s := range input2 {
			c <- s
		}
	}()
	return c
}

func main() {
	c := fanIn(boring("Joe", 5), boring("Ann", 5))
	var msgs []string
	for i := 0; i < 10; i++ {
		msgs = append(msgs, <-c)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		fmt.Println(m)
	}
	fmt.Println("You're both boring; I'm leaving.")
}
