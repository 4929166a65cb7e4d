bad-offerings\.so refused: .*BAD/by-post-course
