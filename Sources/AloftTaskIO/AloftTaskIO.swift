// The container task contract and managed local processes: placeholder while being moved here.
