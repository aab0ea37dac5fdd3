// defer/recover inside goroutines: a panicking worker recovers and reports
// instead of crashing the program; deferred calls run last-in first-out.
package main

import (
	"errors"
	"fmt"
	"sort"
)

func worker(id int, results chan<- string) {
	defer func() {
		if r := recover(); r != nil {
			results <- fmt.Sprintf("worker %d recovered: %v", id, r)
		}
	}()
	if id%2 == 0 {
		panic(fmt.Sprintf("worker %d failed", id))
	}
	results <- fmt.Sprintf("worker %d done", id)
}

func safeDiv(a, b int) (q int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New(fmt.Sprint("recovered: ", r))
		}
	}()
	if b == 0 {
		panic("division by zero")
	}
	return a / b, nil
}

func deferOrder(log chan<- string) {
	defer close(log)
	defer func() {
		if r := recover(); r != nil {
			log <- fmt.Sprint("recovered: ", r)
		}
	}()
	for i := 1; i <= 3; i++ {
		defer func(i int) { log <- fmt.Sprint("deferred ", i) }(i)
	}
	panic("unwinding")
}

func main() {
	results := make(chan string)
	for i := 1; i <= 4; i++ {
		go worker(i, results)
	}
	var lines []string
	for i := 1; i <= 4; i++ {
		lines = append(lines, <-results)
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}

	qc := make(chan string)
	go func() {
		q, err := safeDiv(7, 2)
		qc <- fmt.Sprint(q, " ", err)
		q, err = safeDiv(7, 0)
		qc <- fmt.Sprint(q, " ", err)
	}()
	fmt.Println(<-qc)
	fmt.Println(<-qc)

	log := make(chan string)
	go deferOrder(log)
	for l := range log {
		fmt.Println(l)
	}
}
