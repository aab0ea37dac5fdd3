// The Go blog's pipeline: gen -> sq -> sq -> print, each stage a goroutine
// that closes its output when its input is drained.
package main

import "fmt"

func gen(nums ...int) <-chan int {
	out := make(chan int)
	go func() {
		for _, n := range nums {
			out <- n
		}
		close(out)
	}()
	return out
}

func sq(in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		for n := range in {
			out <- n * n
		}
		close(out)
	}()
	return out
}

func main() {
	// Set up the pipeline.
	c := gen(2, 3)
	out := sq(c)

	// Consume the output.
	fmt.Println(<-out) // 4
	fmt.Println(<-out) // 9

	// Since sq has the same type for inbound and outbound channels,
	// we can compose it any number of times.
	sum := 0
	for n := range sq(sq(gen(1, 2, 3, 4, 5))) {
		fmt.Println(n)
		sum += n
	}
	fmt.Println("sum", sum)
}
