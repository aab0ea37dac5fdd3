// Channels of channels: each request carries the channel for its reply,
// and a value can be received from a channel that was itself received.
package main

import "fmt"

func server(requests <-chan chan int) {
	for i := 1; ; i++ {
		reply := <-requests
		reply <- i * i
	}
}

func main() {
	requests := make(chan chan int)
	go server(requests)
	for i := 0; i < 3; i++ {
		reply := make(chan int)
		requests <- reply
		fmt.Println("reply", <-reply)
	}

	chch := make(chan chan string, 1)
	inner := make(chan string, 1)
	inner <- "nested"
	chch <- inner
	fmt.Println(<-<-chch)
}
