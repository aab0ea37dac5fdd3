// Go by Example "Stateful Goroutines": one goroutine owns a map; others
// read and write it by sending requests that carry a reply channel.
package main

import "fmt"

type readOp struct {
	key  int
	resp chan int
}

type writeOp struct {
	key  int
	val  int
	resp chan bool
}

func main() {
	reads := make(chan readOp)
	writes := make(chan writeOp)

	go func() {
		state := make(map[int]int)
		for {
			select {
			case read := <-reads:
				read.resp <- state[read.key]
			case write := <-writes:
				state[write.key] += write.val
				write.resp <- true
			}
		}
	}()

	done := make(chan bool)
	for w := 0; w < 4; w++ {
		go func(w int) {
			for i := 0; i < 25; i++ {
				write := writeOp{key: i % 5, val: w + 1, resp: make(chan bool)}
				writes <- write
				<-write.resp
			}
			done <- true
		}(w)
	}
	for w := 0; w < 4; w++ {
		<-done
	}

	for k := 0; k < 5; k++ {
		read := readOp{key: k, resp: make(chan int)}
		reads <- read
		fmt.Println("key", k, "=", <-read.resp)
	}
}
