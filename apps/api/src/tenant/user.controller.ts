import { Controller, Get, Post } from '@nestjs/common';
import { CreateUserRequest, ListQuery, User, UserPage, type Page } from '@tessera/dto';
import { Auth } from '../common/auth.decorator.js';
import { Contract, ValidBody, ValidQuery } from '../common/contract.decorator.js';
import { UserService, toUserDto } from './user.service.js';

@Controller('v1/users')
export class UserController {
  constructor(private readonly users: UserService) {}

  @Post()
  @Auth('admin')
  @Contract({ summary: 'Create a user', body: CreateUserRequest, response: User, status: 201 })
  async create(@ValidBody() body: CreateUserRequest): Promise<User> {
    return toUserDto(await this.users.create(body));
  }

  @Get()
  @Auth('admin')
  @Contract({ summary: 'List users', query: ListQuery, response: UserPage })
  async list(@ValidQuery() query: ListQuery): Promise<Page<User>> {
    const page = await this.users.list(query);
    return { items: page.items.map(toUserDto), next: page.next };
  }
}
