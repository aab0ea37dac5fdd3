// Ping-pong: two goroutines bounce a ball (a counter) over channels until
// it has been hit ten times. (Sameer Ajmani, "Advanced Go Concurrency
// Patterns"; one channel per direction so that "ping" always serves first.)
package main

import "fmt"

type Ball struct{ hits int }

func player(name string, in <-chan *Ball, out chan<- *Ball, done chan<- *Ball) {
	for ball := range in {
		ball.hits++
		fmt.Println(name, ball.hits)
		if ball.hits == 10 {
			done <- ball
			return
		}
		out <- ball
	}
}

func main() {
	toPing := make(chan *Ball)
	toPong := make(chan *Ball)
	done := make(chan *Ball)
	go player("ping", toPing, toPong, done)
	go player("pong", toPong, toPing, done)
	toPing <- new(Ball) // game on; toss the ball
	ball := <-done      // game over; grab the ball
	fmt.Println("game over after", ball.hits, "hits")
}
