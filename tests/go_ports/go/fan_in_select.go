// Fan-in with select: one goroutine merges two generators, turning each
// input into a nil channel (never ready) once it is closed, and closes its
// output when both are done. Arrival order varies, so main sorts.
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
		for input1 != nil || input2 != nil {
			select {
			case s, ok := <-input1:
				if !ok {
					input1 = nil
					continue
				}
				c <- s
			case s, ok := <-input2:
				if !ok {
					input2 = nil
					continue
				}
				c <- s
			}
		}
		close(c)
	}()
	return c
}

func main() {
	var msgs []string
	for s := range fanIn(boring("Joe", 4), boring("Ann", 6)) {
		msgs = append(msgs, s)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		fmt.Println(m)
	}
	fmt.Println("merged", len(msgs), "messages")
}
