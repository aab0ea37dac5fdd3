// select {} blocks forever. Once the worker has finished nothing can run,
// and Go reports the deadlock.
package main

import "fmt"

func main() {
	done := make(chan bool)
	go func() {
		fmt.Println("worker done")
		close(done)
	}()
	<-done
	fmt.Println("main blocks forever")
	select {}
}
