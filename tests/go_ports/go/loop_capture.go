// The loop variable and `go`: `go report(i, ...)` evaluates i when the go
// statement runs, so each goroutine gets its own value; a func literal gets
// its own copy of i. Results are collected and sorted; then goroutines
// print themselves, in order, each waiting for its turn on a chain of
// channels.
package main

import (
	"fmt"
	"sort"
)

func report(i int, out chan<- int) {
	out <- i * i
}

func inTurn(i int, turn <-chan bool, next chan<- bool) {
	<-turn
	fmt.Println("goroutine", i)
	next <- true
}

func main() {
	out := make(chan int)
	for i := 0; i < 5; i++ {
		go report(i, out)
	}
	var got []int
	for i := 0; i < 5; i++ {
		got = append(got, <-out)
	}
	sort.Ints(got)
	fmt.Println(got)

	// The same with a func literal: before Go 1.22 every closure would share
	// the one loop variable, so each gets its own copy first.
	for i := 0; i < 5; i++ {
		i := i
		go func() { out <- i * i }()
	}
	got = got[:0]
	for i := 0; i < 5; i++ {
		got = append(got, <-out)
	}
	sort.Ints(got)
	fmt.Println(got)

	first := make(chan bool)
	turn := first
	for i := 0; i < 5; i++ {
		next := make(chan bool)
		go inTurn(i, turn, next)
		turn = next
	}
	first <- true
	<-turn
	fmt.Println("all done")
}
