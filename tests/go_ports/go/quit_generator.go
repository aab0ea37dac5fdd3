// A generator stopped cleanly with a quit channel (Rob Pike, "Go
// Concurrency Patterns"): it selects between sending the next value and
// receiving on quit, cleans up, and answers on the same channel.
package main

import "fmt"

func cleanup() {
	fmt.Println("cleaning up")
}

func boring(msg string, quit chan string) <-chan string {
	c := make(chan string)
	go func() {
		for i := 0; ; i++ {
			select {
			case c <- fmt.Sprintf("%s %d", msg, i):
				// do nothing
			case <-quit:
				cleanup()
				quit <- "See you!"
				return
			}
		}
	}()
	return c
}

func main() {
	quit := make(chan string)
	c := boring("Joe", quit)
	for i := 5; i >= 0; i-- {
		fmt.Println(<-c)
	}
	quit <- "Bye!"
	fmt.Printf("Joe says: %q\n", <-quit)
}
