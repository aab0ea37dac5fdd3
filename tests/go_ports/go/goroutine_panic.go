// An unrecovered panic in a goroutine ends the whole program with status
// 2, after running that goroutine's deferred calls (main's are not run).
package main

import "fmt"

func main() {
	done := make(chan bool)
	defer fmt.Println("main's defer: never printed")
	fmt.Println("starting worker")
	go func() {
		defer fmt.Println("worker's defer runs before the crash")
		panic("something went wrong")
	}()
	<-done
	fmt.Println("unreachable")
}
