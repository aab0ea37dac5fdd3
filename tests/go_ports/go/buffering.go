// Go by Example "Channels" and "Channel Buffering": an unbuffered send
// waits for its receiver; a buffered channel holds values without one.
package main

import "fmt"

func main() {
	messages := make(chan string)
	go func() { messages <- "ping" }()
	msg := <-messages
	fmt.Println(msg)
	fmt.Println("unbuffered len", len(messages), "cap", cap(messages))

	buffered := make(chan string, 2)
	buffered <- "buffered"
	buffered <- "channel"
	fmt.Println("buffered len", len(buffered), "cap", cap(buffered))
	fmt.Println(<-buffered)
	fmt.Println(<-buffered)
	fmt.Println("buffered len", len(buffered), "cap", cap(buffered))

	// An unbuffered send completes only once received: the receiver's
	// acknowledgement always comes after the value.
	ack := make(chan string)
	data := make(chan int)
	go func() {
		v := <-data
		ack <- fmt.Sprint("got ", v)
	}()
	data <- 42
	fmt.Println(<-ack)
}
