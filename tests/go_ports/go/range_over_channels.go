// Go by Example "Range over Channels", plus a range over a channel fed and
// closed by a goroutine.
package main

import "fmt"

func counter(n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 1; i <= n; i++ {
			out <- i * 10
		}
	}()
	return out
}

func main() {
	queue := make(chan string, 2)
	queue <- "one"
	queue <- "two"
	close(queue)

	for elem := range queue {
		fmt.Println(elem)
	}

	for v := range counter(4) {
		fmt.Println("got", v)
	}
	fmt.Println("done")
}
