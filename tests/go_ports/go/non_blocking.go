// Go by Example "Non-Blocking Channel Operations": select with default.
package main

import "fmt"

func main() {
	messages := make(chan string)
	signals := make(chan bool)

	select {
	case msg := <-messages:
		fmt.Println("received message", msg)
	default:
		fmt.Println("no message received")
	}

	msg := "hi"
	select {
	case messages <- msg:
		fmt.Println("sent message", msg)
	default:
		fmt.Println("no message sent")
	}

	select {
	case msg := <-messages:
		fmt.Println("received message", msg)
	case sig := <-signals:
		fmt.Println("received signal", sig)
	default:
		fmt.Println("no activity")
	}

	// With room in a buffer the same send succeeds, and then the receive.
	buffered := make(chan string, 1)
	select {
	case buffered <- msg:
		fmt.Println("sent message", msg)
	default:
		fmt.Println("no message sent")
	}
	select {
	case buffered <- "again":
		fmt.Println("sent message again")
	default:
		fmt.Println("buffer full")
	}
	select {
	case msg := <-buffered:
		fmt.Println("received message", msg)
	default:
		fmt.Println("no message received")
	}
}
